"""The package resolver: a CloudFormation custom resource that finds a group's latest Approved model package."""
