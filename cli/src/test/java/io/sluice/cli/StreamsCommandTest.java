package io.sluice.cli;

import io.sluice.broker.SluiceBroker;
import io.sluice.engine.LogConfig;
import io.sluice.streams.examples.FraudCheck;
import io.sluice.streams.examples.WindowedClicks;
import io.sluice.streams.examples.WordCount;
import io.sluice.transport.ClientConnection;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code sluice streams EXAMPLE} against an in-process broker, with records put in by {@code sluice produce} and
 * read back by {@code sluice consume}, all through the command line in this JVM.
 */
class StreamsCommandTest
{
    @TempDir
    File dataDirectory;

    private SluiceBroker broker;
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void launch()
    {
        broker = SluiceBroker.launch(new SluiceBroker.Context()
            .dataDirectory(dataDirectory)
            .listen("127.0.0.1:0")
            .clientTermLength(1024 * 1024)
            .logDefault(LogConfig.SEGMENT_BYTES, String.valueOf(1024 * 1024))
            .logDefault(LogConfig.SEGMENT_INDEX_BYTES, String.valueOf(64 * 1024))
            .logDefault(LogConfig.MAX_MESSAGE_BYTES, String.valueOf(64 * 1024))
            .logDefault(LogConfig.PRETOUCH_BYTES, "0"));
    }

    @AfterEach
    void close()
    {
        CloseHelper.closeAll(broker);
    }

    private int run(final StringWriter out, final String... args)
    {
        final CommandLine commandLine = SluiceCli.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }

    /** A running {@code sluice streams}: interrupted to stop. */
    private final class Running implements AutoCloseable
    {
        final StringWriter out = new StringWriter();
        final int[] exitCode = { -1 };
        final Thread thread;

        Running(final String... args)
        {
            thread = new Thread(() -> exitCode[0] = run(out, args), "streams-command");
            thread.start();
            await(() -> out.toString().contains("running") || !thread.isAlive(), () -> "started: " + out + err);
            assertTrue(thread.isAlive(), "running: " + out + err);
        }

        public void close() throws InterruptedException
        {
            thread.interrupt();
            thread.join(TimeUnit.SECONDS.toMillis(60));
            assertFalse(thread.isAlive(), "stopped when interrupted");
            assertEquals(0, exitCode[0], err.toString());
            assertTrue(out.toString().contains("stopped"), out.toString());
        }
    }

    private void produce(final String topic, final String lines, final String... options)
    {
        final InputStream stdin = System.in;
        System.setIn(new ByteArrayInputStream(lines.getBytes(StandardCharsets.UTF_8)));
        try
        {
            final String[] args = new String[4 + options.length];
            args[0] = "produce";
            args[1] = "--bootstrap";
            args[2] = broker.listenEndpoint();
            args[3] = "--topic=" + topic;
            System.arraycopy(options, 0, args, 4, options.length);
            assertEquals(0, run(new StringWriter(), args), err.toString());
        }
        finally
        {
            System.setIn(stdin);
        }
    }

    /** Key to the latest value of every record of the topic, printed by {@code sluice consume}. */
    private Map<String, String> latest(final String topic, final String valueFormat)
    {
        final PrintStream stdout = System.out;
        final ByteArrayOutputStream printed = new ByteArrayOutputStream();
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try
        {
            assertEquals(0, run(new StringWriter(), "consume", "--bootstrap", broker.listenEndpoint(), "--topic",
                topic, "--from-beginning", "--print-key", "--value-format", valueFormat, "--timeout-ms", "500"),
                err.toString());
        }
        finally
        {
            System.setOut(stdout);
        }
        final Map<String, String> latest = new TreeMap<>();
        for (final String line : printed.toString(StandardCharsets.UTF_8).split("\n"))
        {
            final int tab = line.indexOf('\t');
            if (tab > 0)
            {
                latest.put(line.substring(0, tab), line.substring(tab + 1));
            }
        }
        return latest;
    }

    private static void await(final BooleanSupplier condition, final java.util.function.Supplier<String> what)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                fail("not within 60 s: " + what.get());
            }
            try
            {
                Thread.sleep(50);
            }
            catch (final InterruptedException ex)
            {
                throw new IllegalStateException(ex);
            }
        }
    }

    @Test
    void shouldCountWordsFromTheCommandLine() throws Exception
    {
        try (Running ignored = new Running("streams", "wordcount", "--bootstrap", broker.listenEndpoint(),
            "--partitions", "2"))
        {
            produce(WordCount.INPUT, "The cat\nthe dog\nA CAT, the end\n");
            final Map<String, String> expected = new TreeMap<>(Map.of(
                "the", "3", "cat", "2", "dog", "1", "a", "1", "end", "1"));
            await(() -> latest(WordCount.OUTPUT, "long").equals(expected),
                () -> "counts: " + latest(WordCount.OUTPUT, "long"));
        }
    }

    @Test
    void shouldRaiseFraudAlertsFromTheCommandLine() throws Exception
    {
        try (Running ignored = new Running("streams", "fraud", "--bootstrap", broker.listenEndpoint()))
        {
            produce(FraudCheck.LIMITS, "acct-1:10000\n", "--key-separator", ":", "--value-format", "long");
            // The limit and the payments come from two topics: repeat the payments until the limit was there first.
            await(() ->
            {
                produce(FraudCheck.PAYMENTS, "acct-1:5000\nacct-1:25000\nacct-2:100\n", "--key-separator", ":",
                    "--value-format", "long");
                return "payment of 25000 over the limit of 10000".equals(latest(FraudCheck.ALERTS, "string")
                    .get("acct-1"));
            }, () -> "alerts: " + latest(FraudCheck.ALERTS, "string"));
            assertEquals("payment of 100 on an account without a limit",
                latest(FraudCheck.ALERTS, "string").get("acct-2"));
        }
    }

    @Test
    void shouldStartTheClickCountsAndCreateTheirTopics() throws Exception
    {
        try (Running ignored = new Running("streams", "clicks", "--bootstrap", broker.listenEndpoint(),
            "--application-id", "clicks-app"))
        {
            try (ClientConnection connection = ClientConnection.connect(new ClientConnection.Context()
                .bootstrap(broker.listenEndpoint())
                .aeronDirectoryName(broker.aeronDirectoryName())
                .clientName("streams-command-test")))
            {
                assertEquals(1, connection.describeTopic(WindowedClicks.INPUT).partitions().size());
                assertEquals(1, connection.describeTopic(WindowedClicks.OUTPUT).partitions().size());
                assertEquals("compact", connection.describeTopics("clicks-app-" + WindowedClicks.STORE +
                    "-changelog", true).get(0).config().get("cleanup.policy"));
            }
        }
    }

    @Test
    void shouldRefuseAnUnknownExampleOrBadOptions()
    {
        final StringWriter out = new StringWriter();
        assertEquals(2, run(out, "streams", "nope", "--bootstrap", broker.listenEndpoint()));
        assertTrue(err.toString().contains("EXAMPLE must be wordcount, clicks or fraud"), err.toString());
        assertEquals(2, run(out, "streams", "wordcount", "--bootstrap", broker.listenEndpoint(), "--partitions", "0"));
        assertEquals(2, run(out, "streams", "wordcount", "--bootstrap", broker.listenEndpoint(),
            "--duration-ms", "-5"));
        assertEquals(2, run(out, "streams"), "EXAMPLE is required");
        assertEquals(2, run(out, "consume", "--bootstrap", broker.listenEndpoint(), "--topic", "t", "--value-format",
            "hex"));
        assertEquals(2, run(out, "produce", "--bootstrap", broker.listenEndpoint(), "--topic", "t", "--value-format",
            "hex"));
    }
}
