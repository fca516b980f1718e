package io.sluice.cli;

import io.sluice.transport.SluiceClientException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/**
 * The {@code sluice} command: {@code broker}, {@code topics}, {@code produce}, {@code consume}, {@code groups},
 * {@code streams}, {@code connect}.
 * <p>
 * Exit codes: 0 success; 1 a failure at run time (an unreachable broker, a refused request), reported as one line
 * on stderr; 2 bad usage (an unknown option or a bad value), reported with the usage.
 */
@Command(
    name = "sluice",
    mixinStandardHelpOptions = true,
    version = "sluice 0.1.0-SNAPSHOT",
    description = "A Kafka-class event log at microsecond latency.",
    subcommands = {
        BrokerCommand.class,
        TopicsCommand.class,
        ProduceCommand.class,
        ConsumeCommand.class,
        GroupsCommand.class,
        StreamsCommand.class,
        ConnectCommand.class,
        UsersCommand.class,
        AclsCommand.class
    })
public final class SluiceCli implements Runnable
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /**
     * Run the command line and exit with its code.
     *
     * @param args the arguments.
     */
    public static void main(final String[] args)
    {
        final boolean broker = args.length > 0 && "broker".equals(args[0]);
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", broker ? "info" : "warn");
        System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        System.exit(execute(args));
    }

    /**
     * Run the command line.
     *
     * @param args the arguments.
     * @return the exit code.
     */
    public static int execute(final String... args)
    {
        return commandLine().execute(args);
    }

    static CommandLine commandLine()
    {
        final CommandLine commandLine = new CommandLine(new SluiceCli());
        commandLine.setExecutionExceptionHandler((ex, cmd, parseResult) ->
        {
            final PrintWriter err = cmd.getErr();
            err.println(cmd.getCommandSpec().qualifiedName() + ": " + oneLine(ex));
            err.flush();
            return 1;
        });
        return commandLine;
    }

    static String oneLine(final Throwable ex)
    {
        if (ex instanceof SluiceClientException || ex instanceof IllegalArgumentException ||
            ex instanceof IllegalStateException || ex instanceof java.io.IOException)
        {
            return String.valueOf(ex.getMessage());
        }
        return ex.getClass().getSimpleName() + ": " + ex.getMessage();
    }

    public void run()
    {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }
}
