import BELMCommands

BELM.main()
