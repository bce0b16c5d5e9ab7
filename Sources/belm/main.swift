import BELMCommands

BELM.runFromCommandLine()
