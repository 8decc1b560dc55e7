"""The endpoint template (templates/sagemaker-endpoint.yaml): `template.build_template` is its table of contents,
one builder per resource group."""
