"""The Lambda code the stack ships (one zip): the package resolver custom resource and the approval updater."""
