"""`fleet`: one endpoint template deployed to many accounts and Regions as a CloudFormation StackSet.

request.py checks the input offline; targets.py turns it into StackSet calls grouped by parameter overrides;
stack_set.py makes those calls and follows each operation; code.py puts the resolver zip in every Region;
instances.py reads each instance's outputs for the JSON report.
"""
