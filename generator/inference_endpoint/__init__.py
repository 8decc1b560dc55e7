"""templates/inference-endpoint.yaml: an endpoint without a model, whose instances inference components share."""
