"""The deploy client: from parameters to a serving endpoint through CloudFormation change sets.

It reads the rendered template (troposphere is only for `render`), checks every input offline against the
template's own constraints and Rules, plans with a change set, executes it and follows the stack live.
"""
