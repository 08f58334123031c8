Descent.Cli.Terminal.ConsoleStart.Prepare();
return Descent.Cli.Cli.Run(args, Console.Out, Console.Error);
