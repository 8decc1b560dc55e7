"""`project publish`, `unpublish` and `list`: the project template as an organization template SageMaker Studio lists
from S3, without Service Catalog (SageMaker Developer Guide, "Using a template from an Amazon S3 bucket")."""
