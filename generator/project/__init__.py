"""templates/sagemaker-project.yaml: the endpoint template as a SageMaker Projects template Studio lists from S3."""
