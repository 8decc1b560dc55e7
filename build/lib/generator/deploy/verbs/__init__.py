"""One module per subcommand that calls AWS, each a `run` function over a DeployContext (as rain's
internal/cmd/<verb> over one CloudFormation gateway)."""
