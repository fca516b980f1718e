package io.sluice.cli;

import io.sluice.codecs.RecordBatchView;
import io.sluice.codecs.client.CreditMode;
import io.sluice.codecs.client.ErrorCode;
import io.sluice.transport.ClientConnection;
import io.sluice.transport.ClientProtocol;
import io.sluice.transport.ClientResponseListener;
import io.sluice.transport.FetchedRecords;
import io.sluice.transport.SluiceClientException;
import io.sluice.transport.TopicDescription;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code sluice consume}: print records, one value per line.
 * <p>
 * Each partition is a fetch session with a credit of at most {@value #CREDIT_WINDOW} records, topped up as records
 * are printed, so the broker sends no faster than this process prints. Where to start: the group's committed
 * offset if {@code --group} has one, else the log start with {@code --from-beginning}, else the log end. With a
 * group, the offset after the last printed record of each partition is committed every five seconds and on exit.
 */
@Command(name = "consume", mixinStandardHelpOptions = true, description = "Print records, one value per line.")
final class ConsumeCommand implements Callable<Integer>, ClientResponseListener
{
    static final int CREDIT_WINDOW = 1000;
    private static final long COMMIT_INTERVAL_NS = TimeUnit.SECONDS.toNanos(5);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ClientOptions client;

    @Option(names = "--topic", required = true, paramLabel = "TOPIC", description = "Topic to consume.")
    String topic;

    @Option(names = "--group", paramLabel = "GROUP",
        description = "Start from and commit to this group's offsets (one member per group for now).")
    String group;

    @Option(names = "--from-beginning", description = "Without a committed offset, start at the log start, " +
        "not the end.")
    boolean fromBeginning;

    @Option(names = "--partition", paramLabel = "N", description = "Consume only partition N.")
    Integer partition;

    @Option(names = "--max-records", paramLabel = "N", description = "Exit after N records.")
    Long maxRecords;

    @Option(names = "--timeout-ms", paramLabel = "MS", description = "Exit when no record arrives for MS.")
    Long timeoutMs;

    @Option(names = "--print-key", description = "Print the key and a tab before the value ('null' if none).")
    boolean printKey;

    @Option(names = "--print-offset", description = "Print 'Partition:P<tab>Offset:O<tab>' before each record.")
    boolean printOffset;

    @Option(names = "--value-format", paramLabel = "string|long", defaultValue = "string",
        description = "How values are printed: UTF-8 text, or an 8-byte big-endian long as the Streams examples' " +
            "counts are (default ${DEFAULT-VALUE}).")
    String valueFormat;

    private final FetchedRecords fetched = new FetchedRecords();
    private final FetchedRecords.RecordHandler printer = this::print;
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile boolean running = true;
    private PrintWriter out;
    private long[] nextOffsets;
    private long[] uncredited;
    private long printed;
    private long lastRecordNs;
    private int currentPartition;
    private String failure;

    public Integer call()
    {
        if (null != maxRecords && maxRecords < 1)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--max-records must be at least 1");
        }
        if (null != timeoutMs && timeoutMs < 1)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--timeout-ms must be at least 1");
        }
        if (null != partition && partition < 0)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--partition must not be negative");
        }
        if (null != group && group.isEmpty())
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--group must not be empty");
        }
        if (!"string".equals(valueFormat) && !"long".equals(valueFormat))
        {
            throw new CommandLine.ParameterException(spec.commandLine(),
                "--value-format must be string or long, not '" + valueFormat + "'");
        }

        out = new PrintWriter(new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16));
        final Thread stopper = new Thread(() ->
        {
            running = false;
            try
            {
                finished.await(5, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ignore)
            {
                Thread.currentThread().interrupt();
            }
        }, "sluice-consume-stop");
        Runtime.getRuntime().addShutdownHook(stopper);
        try (Brokers brokers = client.brokers("sluice-consume"))
        {
            return consume(brokers);
        }
        finally
        {
            out.flush();
            finished.countDown();
            try
            {
                Runtime.getRuntime().removeShutdownHook(stopper);
            }
            catch (final IllegalStateException ignore)
            {
                // shutting down already: the hook is running
            }
        }
    }

    private int consume(final Brokers brokers)
    {
        final ClientConnection connection = brokers.bootstrap();
        final TopicDescription description = connection.describeTopic(topic);
        final int partitions = description.partitions().size();
        if (null != partition && partition >= partitions)
        {
            throw new IllegalArgumentException(
                "topic " + topic + " has partitions 0 to " + (partitions - 1) + ", not " + partition);
        }
        nextOffsets = new long[partitions];
        uncredited = new long[partitions];
        Arrays.fill(nextOffsets, -1);
        final long[] committed = new long[partitions];
        Arrays.fill(committed, -1);

        // The group's offsets are kept by its coordinator: the bootstrap broker alone, one broker in a cluster.
        final ClientConnection coordinator = null == group ? null : brokers.coordinator();
        if (null != group)
        {
            // All blocking calls first: fetched records start arriving as soon as the first session opens.
            for (int p = 0; p < partitions; p++)
            {
                committed[p] = coordinator.committedOffset(group, description.topicId(), p);
            }
        }
        final IdleStrategy idle = new BackoffIdleStrategy();
        final ClientConnection[] leaders = new ClientConnection[partitions];
        for (int p = 0; p < partitions; p++)
        {
            if (null != partition && p != partition)
            {
                continue;
            }
            leaders[p] = brokers.leaderOf(description, p); // each partition is read from its leader
            final long start = committed[p] >= 0 ? committed[p] :
                fromBeginning ? ClientProtocol.EARLIEST_OFFSET : ClientProtocol.LATEST_OFFSET;
            final long credit = null == maxRecords ? CREDIT_WINDOW : Math.min(CREDIT_WINDOW, maxRecords);
            final long correlationId = (1L << 48) + p; // unique across the leaders' connections
            final long sessionId = p;
            final long offset = start;
            while (leaders[p].offerFetch(correlationId, sessionId, description.topicId(), p, offset,
                CreditMode.RECORDS, credit) < 0)
            {
                if (!brokers.isConnected())
                {
                    throw new SluiceClientException(null, "lost the connection to a broker (bootstrap " +
                        client.bootstrap + ")");
                }
                idle.idle(brokers.poll(this, 64));
            }
        }

        lastRecordNs = System.nanoTime();
        long commitDeadlineNs = lastRecordNs + COMMIT_INTERVAL_NS;
        while (running && null == failure && (null == maxRecords || printed < maxRecords))
        {
            final int work = brokers.poll(this, 256);
            final long nowNs = System.nanoTime();
            if (0 == work)
            {
                out.flush();
                if (null != timeoutMs && nowNs - lastRecordNs > TimeUnit.MILLISECONDS.toNanos(timeoutMs))
                {
                    break;
                }
                if (!brokers.isConnected())
                {
                    failure = "lost the connection to a broker (bootstrap " + client.bootstrap + ")";
                    break;
                }
            }
            for (int p = 0; p < partitions; p++)
            {
                if (uncredited[p] >= CREDIT_WINDOW / 2)
                {
                    if (leaders[p].offerCredit(p, uncredited[p]) > 0)
                    {
                        uncredited[p] = 0;
                    }
                }
            }
            if (null != group && nowNs - commitDeadlineNs > 0)
            {
                commitDeadlineNs = nowNs + COMMIT_INTERVAL_NS;
                commit(coordinator, description.topicId(), committed);
            }
            idle.idle(work);
        }
        out.flush();
        if (null != group && coordinator.isConnected())
        {
            commit(coordinator, description.topicId(), committed);
        }
        final PrintWriter err = spec.commandLine().getErr();
        if (null != failure)
        {
            err.println("sluice consume: " + failure + " after " + printed + " records");
            err.flush();
            return 1;
        }
        err.println("Processed a total of " + printed + " records");
        err.flush();
        return 0;
    }

    private void commit(final ClientConnection connection, final int topicId, final long[] committed)
    {
        for (int p = 0; p < nextOffsets.length; p++)
        {
            if (nextOffsets[p] >= 0 && nextOffsets[p] != committed[p])
            {
                connection.commitOffset(group, topicId, p, nextOffsets[p]);
                committed[p] = nextOffsets[p];
            }
        }
    }

    public void onFetchData(
        final long sessionId,
        final int topicId,
        final int partition,
        final long fromOffset,
        final long toOffset,
        final long highWatermark,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        currentPartition = partition;
        fetched.forEach(buffer, offset, length, fromOffset, toOffset, printer);
    }

    private void print(final RecordBatchView record)
    {
        if (null != maxRecords && printed >= maxRecords)
        {
            return;
        }
        if (printOffset)
        {
            out.print("Partition:");
            out.print(currentPartition);
            out.print("\tOffset:");
            out.print(record.offset());
            out.print('\t');
        }
        if (printKey)
        {
            out.print(record.isKeyNull() ? "null" : string(record.key()));
            out.print('\t');
        }
        out.println(record.isValueNull() ? "null" : "long".equals(valueFormat) ? longOrText(record) :
            string(record.value()));
        printed++;
        nextOffsets[currentPartition] = record.offset() + 1;
        uncredited[currentPartition]++;
        lastRecordNs = System.nanoTime();
    }

    private String longOrText(final RecordBatchView record)
    {
        final DirectBuffer value = record.value();
        if (value.capacity() == Long.BYTES)
        {
            return Long.toString(value.getLong(0, java.nio.ByteOrder.BIG_ENDIAN));
        }
        spec.commandLine().getErr().println("sluice consume: the value at offset " + record.offset() + " is " +
            value.capacity() + " bytes, not a long: printed as text");
        return string(value);
    }

    private static String string(final DirectBuffer buffer)
    {
        return buffer.getStringWithoutLengthUtf8(0, buffer.capacity());
    }

    public void onFetchStatus(
        final long correlationId,
        final long sessionId,
        final ErrorCode errorCode,
        final long nextOffset,
        final long logStartOffset,
        final long highWatermark,
        final String errorMessage)
    {
        if (errorCode != ErrorCode.NONE)
        {
            failure = "partition " + sessionId + ": " + errorCode + " (" + errorMessage + ")";
        }
    }

    public void onError(
        final long correlationId, final ErrorCode errorCode, final int requestTemplateId, final String errorMessage)
    {
        failure = "broker error " + errorCode + ": " + errorMessage;
    }
}
