// Where along a trajectory the pullback directions are taken, as fractions of the first timestep T. A module
// of its own (no imports) so the page can show the defaults without pulling in the engine.

/** Default edit time: t = 0.65·T, within Park et al.'s 0.6–0.7 T. */
export const EDIT_FRACTION = 0.65;

/** Identity directions sum JᵀJ over points at these fractions of T by default. */
export const IDENTITY_FRACTIONS = [EDIT_FRACTION, 0.45];
