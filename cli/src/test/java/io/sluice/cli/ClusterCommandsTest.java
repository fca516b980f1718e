package io.sluice.cli;

import io.sluice.broker.SluiceBroker;
import io.sluice.engine.LogConfig;
import io.sluice.transport.ClientConnection;
import io.sluice.transport.SluiceClientException;
import io.sluice.transport.TopicDescription;
import io.sluice.transport.controller.ControllerNode;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The {@code sluice} commands against three brokers of one cluster in this JVM: bootstrapped from one broker,
 * {@code produce} sends each partition's records to its leader and {@code consume} reads each from its leader, so
 * the partitions led by the other brokers work too (their broker would answer {@code NOT_LEADER} otherwise).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClusterCommandsTest
{
    private static final int TERM_LENGTH = 1024 * 1024;

    @TempDir
    File directory;

    private final SluiceBroker[] brokers = new SluiceBroker[3];
    private final List<ClientConnection> clients = new ArrayList<>();
    private final StringWriter err = new StringWriter();
    private StringWriter out = new StringWriter();

    @AfterEach
    void after()
    {
        CloseHelper.quietCloseAll(clients);
        CloseHelper.quietCloseAll(brokers);
    }

    @Test
    void shouldProduceToAndConsumeFromEachPartitionsLeader() throws Exception
    {
        final StringJoiner members = new StringJoiner(",");
        final String[] addresses = new String[3];
        for (int i = 0; i < 3; i++)
        {
            addresses[i] = "127.0.0.1:" + ControllerNode.Ports.freeLoopbackBlock();
            members.add(i + "@" + addresses[i]);
        }
        for (int i = 0; i < 3; i++)
        {
            brokers[i] = SluiceBroker.launch(new SluiceBroker.Context()
                .dataDirectory(new File(directory, "broker-" + i))
                .brokerId(i)
                .cluster(members.toString())
                .clientTermLength(TERM_LENGTH)
                .replicationTermLength(256 * 1024)
                .logDefault(LogConfig.SEGMENT_BYTES, String.valueOf(1024 * 1024))
                .logDefault(LogConfig.SEGMENT_INDEX_BYTES, String.valueOf(64 * 1024))
                .logDefault(LogConfig.MAX_MESSAGE_BYTES, String.valueOf(64 * 1024))
                .logDefault(LogConfig.PRETOUCH_BYTES, "0"));
        }
        final String bootstrap = addresses[0];
        await("the quorum to create the topic", () -> 0 == run(null, "topics", "create", "--bootstrap", bootstrap,
            "--topic", "events", "--partitions", "3", "--replication-factor", "3"));
        final ClientConnection watcher = ClientConnection.connect(new ClientConnection.Context()
            .bootstrap(bootstrap)
            .aeronDirectoryName(brokers[0].aeronDirectoryName())
            .termLength(TERM_LENGTH));
        clients.add(watcher);
        await("every partition to have a leader and a full ISR", () ->
        {
            try
            {
                final TopicDescription description = watcher.describeTopic("events");
                return description.partitions().stream().allMatch((p) -> p.leader() >= 0 && p.isr().size() == 3);
            }
            catch (final SluiceClientException ex)
            {
                return false;
            }
        });
        final Set<Integer> leaders = new HashSet<>();
        watcher.describeTopic("events").partitions().forEach((p) -> leaders.add(p.leader()));
        assertTrue(leaders.size() > 1 || !leaders.contains(0), "some partition is led by another broker than " +
            "the bootstrap: " + leaders);

        final StringBuilder input = new StringBuilder();
        final Set<String> lines = new HashSet<>();
        for (int i = 0; i < 30; i++)
        {
            input.append("line-").append(i).append('\n');
            lines.add("line-" + i);
        }
        assertEquals(0, run(input.toString(), "produce", "--bootstrap", bootstrap, "--topic", "events",
            "--acks", "all"), err.toString());

        final List<String> consumed = consume("consume", "--bootstrap", bootstrap, "--topic", "events",
            "--from-beginning", "--max-records", "30", "--timeout-ms", "20000");
        assertEquals(30, consumed.size(), consumed.toString());
        assertEquals(lines, new HashSet<>(consumed));

        // A group's offsets are kept by the coordinator, reached from any bootstrap broker.
        final int[] coordinator = { -1 };
        await("a group coordinator", () ->
        {
            watcher.describeTopics(null, false);
            coordinator[0] = watcher.coordinatorId();
            return coordinator[0] >= 0;
        });
        final String elsewhere = addresses[(coordinator[0] + 1) % 3];
        assertEquals(30, consume("consume", "--bootstrap", elsewhere, "--topic", "events", "--group", "tally",
            "--from-beginning", "--max-records", "30", "--timeout-ms", "20000").size(), err.toString());
        assertEquals(0, consume("consume", "--bootstrap", elsewhere, "--topic", "events", "--group", "tally",
            "--from-beginning", "--timeout-ms", "500").size(), "the group goes on from its committed offsets");
        assertEquals(0, run(null, "groups", "describe", "--bootstrap", elsewhere, "--group", "tally"),
            err.toString());
        long committed = 0;
        for (final String row : out.toString().lines().filter((l) -> l.startsWith("events")).toList())
        {
            committed += Long.parseLong(row.trim().split("\\s+")[2]);
        }
        assertEquals(30, committed, out.toString());
    }

    /**
     * @return the lines a {@code consume} printed; it must exit 0.
     */
    private List<String> consume(final String... args)
    {
        final ByteArrayOutputStream printed = new ByteArrayOutputStream();
        final PrintStream stdout = System.out;
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        final int exitCode;
        try
        {
            exitCode = run(null, args);
        }
        finally
        {
            System.setOut(stdout);
        }
        assertEquals(0, exitCode, err.toString());
        return printed.toString(StandardCharsets.UTF_8).lines().toList();
    }

    private int run(final String stdin, final String... args)
    {
        final CommandLine commandLine = SluiceCli.commandLine();
        out = new StringWriter();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        final InputStream in = System.in;
        if (null != stdin)
        {
            System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        }
        try
        {
            return commandLine.execute(args);
        }
        finally
        {
            System.setIn(in);
        }
    }

    private static void await(final String what, final BooleanSupplier condition) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                fail("not within 60 s: " + what);
            }
            Thread.sleep(50);
        }
    }
}
