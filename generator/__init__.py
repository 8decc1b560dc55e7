"""Render the SageMaker endpoint CloudFormation template, package its resolver Lambda, and deploy it."""

__version__ = "0.2.0"
