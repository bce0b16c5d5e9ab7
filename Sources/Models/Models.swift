// The Models module: the reference model and diffusers checkpoints.
