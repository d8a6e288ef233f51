// The few protobuf wire-format primitives ONNX needs (varint, fixed32, length-delimited). Hand-written
// instead of a protobuf dependency: ~60 lines, no codegen, no 2 GB single-buffer ceiling to fight
// because weights never go through it (they are external data).

export class ProtoWriter {
  private buf = new Uint8Array(256);
  private len = 0;

  private ensure(n: number) {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  private rawVarint(v: bigint) {
    // int64 negatives are written as 10-byte two's complement, as protobuf does.
    let x = BigInt.asUintN(64, v);
    this.ensure(10);
    do {
      let byte = Number(x & 0x7fn);
      x >>= 7n;
      if (x !== 0n) byte |= 0x80;
      this.buf[this.len++] = byte;
    } while (x !== 0n);
  }

  private tag(field: number, wire: number) {
    this.rawVarint(BigInt((field << 3) | wire));
  }

  int(field: number, v: number | bigint): this {
    if (typeof v === 'number' && !Number.isSafeInteger(v)) throw new Error(`protobuf: ${v} is not an integer`);
    this.tag(field, 0);
    this.rawVarint(BigInt(v));
    return this;
  }

  float(field: number, v: number): this {
    this.tag(field, 5);
    this.ensure(4);
    new DataView(this.buf.buffer).setFloat32(this.len, v, true);
    this.len += 4;
    return this;
  }

  bytes(field: number, data: Uint8Array): this {
    this.tag(field, 2);
    this.rawVarint(BigInt(data.length));
    this.ensure(data.length);
    this.buf.set(data, this.len);
    this.len += data.length;
    return this;
  }

  string(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }

  message(field: number, build: (w: ProtoWriter) => void): this {
    const w = new ProtoWriter();
    build(w);
    return this.bytes(field, w.finish());
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}
