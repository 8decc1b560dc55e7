"""Render the SageMaker real-time endpoint CloudFormation template and package its resolver Lambda."""
