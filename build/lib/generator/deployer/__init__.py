"""The deployer role, derived from the endpoint template: its permissions (from the resource types' registry
schemas) and the role template and policy JSON that carry them."""
