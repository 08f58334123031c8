return Descent.Cli.Cli.Run(args, Console.Out, Console.Error);
