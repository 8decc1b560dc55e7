"""troposphere/awacs building blocks any template here uses: IAM statements and ARNs, conditions, outputs,
parameters, rendering to text."""
