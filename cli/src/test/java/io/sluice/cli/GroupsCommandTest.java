package io.sluice.cli;

import io.sluice.broker.SluiceBroker;
import io.sluice.codecs.RecordBatchBuilder;
import io.sluice.codecs.client.Acks;
import io.sluice.codecs.client.Assignor;
import io.sluice.codecs.client.ErrorCode;
import io.sluice.engine.LogConfig;
import io.sluice.transport.ClientConnection;
import io.sluice.transport.ClientResponseListener;
import io.sluice.transport.PartitionRef;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code sluice groups list|describe} against an in-process broker, run through the command line in this JVM.
 */
class GroupsCommandTest
{
    private static final int TERM_LENGTH = 1024 * 1024;

    @TempDir
    File dataDirectory;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private SluiceBroker broker;
    private ClientConnection connection;

    @BeforeEach
    void launch()
    {
        broker = SluiceBroker.launch(new SluiceBroker.Context()
            .dataDirectory(dataDirectory)
            .listen("127.0.0.1:0")
            .clientTermLength(TERM_LENGTH)
            .logDefault(LogConfig.SEGMENT_BYTES, String.valueOf(1024 * 1024))
            .logDefault(LogConfig.SEGMENT_INDEX_BYTES, String.valueOf(64 * 1024))
            .logDefault(LogConfig.MAX_MESSAGE_BYTES, String.valueOf(64 * 1024))
            .logDefault(LogConfig.PRETOUCH_BYTES, "0"));
        connection = ClientConnection.connect(new ClientConnection.Context()
            .bootstrap(broker.listenEndpoint())
            .aeronDirectoryName(broker.aeronDirectoryName())
            .termLength(TERM_LENGTH)
            .clientName("groups-test")
            .requestTimeout(10, TimeUnit.SECONDS));
    }

    @AfterEach
    void close()
    {
        CloseHelper.closeAll(connection, broker);
    }

    private int run(final String... args)
    {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        final CommandLine commandLine = SluiceCli.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }

    @Test
    void shouldListAndDescribeAGroupWithOnlyCommittedOffsets()
    {
        final int topicId = connection.createTopic("quotes", 2, 1, Map.of());
        produce(topicId, 0, 5);
        produce(topicId, 1, 3);
        connection.commitOffset("dashboard", topicId, 0, 2);
        connection.commitOffset("dashboard", topicId, 1, 3);

        assertEquals(0, run("groups", "list", "--bootstrap", broker.listenEndpoint()), err.toString());
        assertEquals(List.of("Group: dashboard\tState: EMPTY\tMembers: 0\tGeneration: 0\tAssignor: -"), lines());

        assertEquals(0, run("groups", "describe", "--bootstrap", broker.listenEndpoint(), "--group", "dashboard"),
            err.toString());
        final List<String> lines = lines();
        assertEquals("Group: dashboard\tState: EMPTY\tGeneration: 0\tAssignor: -\tMembers: 0", lines.get(0));
        assertEquals(List.of(
            List.of("TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", "MEMBER-ID", "CLIENT"),
            List.of("quotes", "0", "2", "5", "3", "-", "-"),
            List.of("quotes", "1", "3", "3", "0", "-", "-")),
            cells(lines.subList(2, lines.size())), out.toString());
    }

    @Test
    void shouldDescribeALiveMemberWithItsAssignmentAndUncommittedPartitions()
    {
        final int topicId = connection.createTopic("orders", 2, 1, Map.of());
        produce(topicId, 0, 4);
        produce(topicId, 1, 6);

        final String[] memberId = new String[1];
        final int[] generation = { -1 };
        final List<PartitionRef> assignment = new ArrayList<>();
        final ClientResponseListener listener = new ClientResponseListener()
        {
            public void onJoinGroupResponse(final long correlationId, final ErrorCode errorCode, final int gen,
                final String member, final String errorMessage)
            {
                assertEquals(ErrorCode.NONE, errorCode, errorMessage);
                memberId[0] = member;
                generation[0] = gen;
            }

            public void onSyncGroupResponse(final long correlationId, final ErrorCode errorCode, final int gen,
                final List<PartitionRef> partitions, final String errorMessage)
            {
                assertEquals(ErrorCode.NONE, errorCode, errorMessage);
                assignment.addAll(partitions);
            }
        };
        final long joinId = connection.nextCorrelationId();
        await(listener, () -> connection.offerJoinGroup(joinId, "billing", "", Assignor.RANGE, 30_000, 30_000,
            List.of("orders"), List.of()) > 0);
        await(listener, () -> null != memberId[0]);
        final long syncId = connection.nextCorrelationId();
        await(listener, () -> connection.offerSyncGroup(syncId, "billing", memberId[0], generation[0]) > 0);
        await(listener, () -> !assignment.isEmpty());
        assertEquals(List.of(new PartitionRef("orders", 0), new PartitionRef("orders", 1)), assignment);
        connection.commitOffset("billing", memberId[0], generation[0], topicId, 0, 1);

        assertEquals(0, run("groups", "list", "--bootstrap", broker.listenEndpoint()), err.toString());
        assertEquals(List.of("Group: billing\tState: STABLE\tMembers: 1\tGeneration: " + generation[0] +
            "\tAssignor: range"), lines());

        assertEquals(0, run("groups", "describe", "--bootstrap", broker.listenEndpoint(), "--group", "billing"),
            err.toString());
        final List<String> lines = lines();
        assertEquals("Group: billing\tState: STABLE\tGeneration: " + generation[0] + "\tAssignor: range\tMembers: 1",
            lines.get(0));
        final int blank = lines.subList(2, lines.size()).indexOf("") + 2;
        assertTrue(blank > 2, out.toString());
        assertEquals(List.of(
            List.of("TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", "MEMBER-ID", "CLIENT"),
            List.of("orders", "0", "1", "4", "3", memberId[0], "groups-test"),
            List.of("orders", "1", "-", "6", "-", memberId[0], "groups-test")),
            cells(lines.subList(2, blank)), out.toString());
        assertEquals(List.of(
            List.of("MEMBER-ID", "CLIENT", "SESSION-TIMEOUT-MS", "#PARTITIONS", "ASSIGNMENT"),
            List.of(memberId[0], "groups-test", "30000", "2", "orders-0,orders-1")),
            cells(lines.subList(blank + 1, lines.size())), out.toString());
    }

    @Test
    void shouldExitWithOneLineForAnUnknownGroup()
    {
        assertEquals(1, run("groups", "describe", "--bootstrap", broker.listenEndpoint(), "--group", "nobody"));
        assertEquals("sluice groups describe: group nobody has no members and no committed offsets",
            err.toString().strip());
        assertEquals("", out.toString());
    }

    @Test
    void shouldListNothingWithoutGroups()
    {
        assertEquals(0, run("groups", "list", "--bootstrap", broker.listenEndpoint()), err.toString());
        assertEquals("", out.toString());
    }

    private List<String> lines()
    {
        return out.toString().lines().toList();
    }

    private static List<List<String>> cells(final List<String> rows)
    {
        final List<List<String>> cells = new ArrayList<>();
        for (final String row : rows)
        {
            assertFalse(row.contains("\t"), row);
            cells.add(Arrays.asList(row.strip().split(" +")));
        }
        return cells;
    }

    private void produce(final int topicId, final int partition, final int records)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4096]);
        final RecordBatchBuilder builder = new RecordBatchBuilder().wrap(buffer, 0, buffer.capacity());
        for (int i = 0; i < records; i++)
        {
            assertTrue(builder.append(System.currentTimeMillis(), null, ("v" + i).getBytes(StandardCharsets.UTF_8)));
        }
        final int length = builder.build();
        final long correlationId = connection.nextCorrelationId();
        final ErrorCode[] answer = new ErrorCode[1];
        final ClientResponseListener listener = new ClientResponseListener()
        {
            public void onProduceResponse(final long id, final int topic, final int p, final ErrorCode errorCode,
                final long baseOffset, final long logStartOffset, final String errorMessage)
            {
                if (id == correlationId)
                {
                    answer[0] = errorCode;
                }
            }
        };
        await(listener, () -> connection.offerProduce(correlationId, topicId, partition, Acks.LEADER, buffer, 0,
            length) > 0);
        await(listener, () -> null != answer[0]);
        assertEquals(ErrorCode.NONE, answer[0]);
    }

    /**
     * Poll the connection until {@code done}; a guard against hanging, not a measure: fails after 30 s.
     */
    private void await(final ClientResponseListener listener, final BooleanSupplier done)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!done.getAsBoolean())
        {
            assertTrue(connection.isConnected(), "connected to the broker");
            assertTrue(System.nanoTime() - deadlineNs < 0, "no answer from the broker");
            if (0 == connection.poll(listener, 16))
            {
                Thread.yield();
            }
        }
    }
}
