"""Ways to hand the endpoint template to others: the Service Catalog / SageMaker Projects kit and the seed-farmer
modulestack."""
