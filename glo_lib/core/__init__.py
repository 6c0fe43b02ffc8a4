"""The pipeline's core: config, data, model, losses, training, the run cache and sweeps."""
