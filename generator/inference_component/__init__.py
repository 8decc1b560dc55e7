"""templates/inference-component.yaml: one model package on a shared endpoint, as an inference component."""
