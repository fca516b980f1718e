package io.sluice.cli;

import io.sluice.codecs.client.ErrorCode;
import io.sluice.streams.StreamsApp;
import io.sluice.streams.StreamsConfig;
import io.sluice.streams.Topology;
import io.sluice.streams.examples.FraudCheck;
import io.sluice.streams.examples.WindowedClicks;
import io.sluice.streams.examples.WordCount;
import io.sluice.transport.ClientConnection;
import io.sluice.transport.SluiceClientException;
import org.agrona.concurrent.ShutdownSignalBarrier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code sluice streams EXAMPLE}: runs one of the example Streams applications against a broker until SIGINT or
 * SIGTERM (or {@code --duration-ms}, or an interrupt of the calling thread), then closes it, committing what it
 * processed. Creates the example's input and output topics when they are missing.
 */
@Command(name = "streams", mixinStandardHelpOptions = true,
    description = {
        "Run an example Streams application until SIGINT or SIGTERM.",
        "  wordcount  text-lines (lines) -> word-counts (word, count as a long)",
        "  clicks     clicks (user, page) -> clicks-per-minute (user@windowStartMs, count as a long), each one-minute",
        "             window's final count once it closes (10 s of grace)",
        "  fraud      payments (account, cents as a long) joined with account-limits (account, cents as a long)",
        "             -> fraud-alerts (account, text)",
        "Prints a line containing 'running' once it processes."})
final class StreamsCommand implements Callable<Integer>
{
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    io.sluice.cli.ClientOptions client;

    @Parameters(index = "0", paramLabel = "EXAMPLE", description = "wordcount, clicks or fraud.")
    String example;

    @Option(names = "--application-id", paramLabel = "ID",
        description = "The application id: its consumer group and the prefix of its internal topics " +
            "(default sluice-EXAMPLE).")
    String applicationId;

    @Option(names = "--partitions", paramLabel = "N", defaultValue = "1",
        description = "Partitions of the topics it creates (default ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--replication-factor", paramLabel = "R", defaultValue = "1",
        description = "Replication factor of the topics it creates, internal ones included (default ${DEFAULT-VALUE}).")
    int replicationFactor;

    @Option(names = "--duration-ms", paramLabel = "MS",
        description = "Stop after this long (default: run until SIGINT or SIGTERM).")
    Long durationMs;

    private record Example(Topology topology, List<String> topics)
    {
    }

    public Integer call()
    {
        final Example chosen = switch (example.toLowerCase(Locale.ROOT))
        {
            case "wordcount" -> new Example(WordCount.topology(), List.of(WordCount.INPUT, WordCount.OUTPUT));
            case "clicks" -> new Example(WindowedClicks.topology(),
                List.of(WindowedClicks.INPUT, WindowedClicks.OUTPUT));
            case "fraud" -> new Example(FraudCheck.topology(),
                List.of(FraudCheck.PAYMENTS, FraudCheck.LIMITS, FraudCheck.ALERTS));
            default -> throw new CommandLine.ParameterException(spec.commandLine(),
                "EXAMPLE must be wordcount, clicks or fraud, not '" + example + "'");
        };
        if (partitions < 1 || replicationFactor < 1)
        {
            throw new CommandLine.ParameterException(spec.commandLine(),
                "--partitions and --replication-factor must be at least 1");
        }
        if (null != durationMs && durationMs <= 0)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--duration-ms must be positive");
        }
        final String id = null != applicationId ? applicationId : "sluice-" + example.toLowerCase(Locale.ROOT);
        final PrintWriter out = spec.commandLine().getOut();

        try (ClientConnection connection = client.connect("sluice-streams"))
        {
            for (final String topic : chosen.topics())
            {
                createIfMissing(connection, topic);
            }
        }

        final StreamsConfig config = StreamsConfig.create(id, client.reactive())
            .withReplicationFactor(replicationFactor);
        final AtomicBoolean stop = new AtomicBoolean();
        boolean interrupted = false;
        // Closed in reverse order: the application first (it commits), then the barrier, whose shutdown hook holds
        // the JVM's exit until then.
        try (ShutdownSignalBarrier barrier = new ShutdownSignalBarrier();
            StreamsApp app = new StreamsApp(chosen.topology(), config))
        {
            final Thread signals = new Thread(() ->
            {
                barrier.await();
                stop.set(true);
            }, "sluice-streams-signals");
            signals.setDaemon(true);
            signals.start();
            app.start();
            final long deadlineNs = null == durationMs ? Long.MAX_VALUE : System.nanoTime() + durationMs * 1_000_000L;
            boolean announced = false;
            while (!stop.get() && System.nanoTime() - deadlineNs < 0)
            {
                final StreamsApp.State state = app.state();
                if (state == StreamsApp.State.ERROR)
                {
                    throw new IllegalStateException("the application " + id + " stopped on a failure (see the log)");
                }
                if (!announced && state == StreamsApp.State.RUNNING)
                {
                    announced = true;
                    out.println("running " + example + " as application " + id + ": " + chosen.topics());
                    out.flush();
                }
                try
                {
                    Thread.sleep(50);
                }
                catch (final InterruptedException ex)
                {
                    interrupted = true; // closed below with the flag clear, so the close can wait for its commits
                    break;
                }
            }
        }
        out.println("stopped " + id);
        out.flush();
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    private void createIfMissing(final ClientConnection connection, final String topic)
    {
        try
        {
            connection.createTopic(topic, partitions, replicationFactor, Map.of());
            spec.commandLine().getErr().println("sluice streams: created topic " + topic + " with " + partitions +
                " partition(s)");
        }
        catch (final SluiceClientException ex)
        {
            if (ex.errorCode() != ErrorCode.TOPIC_EXISTS)
            {
                throw ex;
            }
        }
    }
}
