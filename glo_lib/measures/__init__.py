"""Measures of a trained run: the judge's verdicts, probes, samplers, sharpness, evaluation."""
