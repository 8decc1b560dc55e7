"""The registry kit: templates/registry-access.yaml for the central registry's account, and the resource policy
statements a registry owner merges into the bucket, key and repository it owns."""
