package io.sluice.cli;

import io.sluice.codecs.RecordBatchBuilder;
import io.sluice.codecs.client.Acks;
import io.sluice.codecs.client.ErrorCode;
import io.sluice.engine.LogConfig;
import io.sluice.transport.ClientConnection;
import io.sluice.transport.ClientResponseListener;
import io.sluice.transport.SluiceClientException;
import io.sluice.transport.TopicDescription;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import java.util.zip.CRC32C;

/**
 * {@code sluice produce}: one record per line of stdin; exits 0 only when every record was acknowledged.
 * <p>
 * Lines are batched per partition while more input is ready (at most {@value #MAX_BATCH_RECORDS} records or the
 * topic's {@code max.message.bytes} a batch). The partition is {@code --partition} if given, else a hash
 * (CRC32C) of the key if there is one, else round-robin by line. Each partition's batches go to its leader; a
 * record its leader refuses (such as {@code NOT_LEADER} during a leader change) is reported, not retried.
 */
@Command(name = "produce", mixinStandardHelpOptions = true,
    description = "Produce one record per line of stdin; exit 0 only after every record is acknowledged.")
final class ProduceCommand implements Callable<Integer>, ClientResponseListener
{
    static final int MAX_BATCH_RECORDS = 500;
    static final int MAX_IN_FLIGHT = 256;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ClientOptions client;

    @Option(names = "--topic", required = true, paramLabel = "TOPIC", description = "Topic to produce to.")
    String topic;

    @Option(names = "--acks", paramLabel = "0|1|all", defaultValue = "all",
        description = "0: do not wait; 1: the leader appended; all: every in-sync replica has it " +
            "(default ${DEFAULT-VALUE}; on one broker the same as 1).")
    String acks;

    @Option(names = "--key-separator", paramLabel = "SEP",
        description = "Split each line at the first SEP into key and value; a line without it is refused.")
    String keySeparator;

    @Option(names = "--partition", paramLabel = "N", description = "Produce every record to partition N.")
    Integer partition;

    @Option(names = "--value-format", paramLabel = "string|long", defaultValue = "string",
        description = "How a line's value is sent: UTF-8 text, or a whole number as an 8-byte big-endian long, as " +
            "the Streams examples read amounts (default ${DEFAULT-VALUE}).")
    String valueFormat;

    private record InFlight(long firstLine, int records)
    {
    }

    private final Long2ObjectHashMap<InFlight> inFlight = new Long2ObjectHashMap<>();
    private final CRC32C keyHash = new CRC32C();
    private final IdleStrategy idle = new BackoffIdleStrategy();
    private int topicId;
    /** Unique across the connections to every leader, and above the ids a connection gives its blocking calls. */
    private long nextCorrelationId = 1L << 48;
    private long failed;
    private PrintWriter err;

    public Integer call() throws IOException
    {
        final Acks acksMode = switch (acks)
        {
            case "0" -> Acks.NONE;
            case "1" -> Acks.LEADER;
            case "all", "-1" -> Acks.ALL;
            default -> throw new CommandLine.ParameterException(spec.commandLine(),
                "--acks must be 0, 1 or all, not '" + acks + "'");
        };
        if (null != keySeparator && keySeparator.isEmpty())
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--key-separator must not be empty");
        }
        if (null != partition && partition < 0)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), "--partition must not be negative");
        }
        if (!"string".equals(valueFormat) && !"long".equals(valueFormat))
        {
            throw new CommandLine.ParameterException(spec.commandLine(),
                "--value-format must be string or long, not '" + valueFormat + "'");
        }
        err = spec.commandLine().getErr();

        try (Brokers brokers = client.brokers("sluice-produce"))
        {
            final ClientConnection connection = brokers.bootstrap();
            final TopicDescription description = connection.describeTopics(topic, true).get(0);
            final int partitions = description.partitions().size();
            topicId = description.topicId();
            if (null != partition && partition >= partitions)
            {
                throw new IllegalArgumentException(
                    "topic " + topic + " has partitions 0 to " + (partitions - 1) + ", not " + partition);
            }
            final int maxBatch = Math.min(connection.maxProduceBatchLength(),
                Integer.parseInt(description.config().getOrDefault(LogConfig.MAX_MESSAGE_BYTES,
                    String.valueOf(Integer.MAX_VALUE))));
            final RecordBatchBuilder[] builders = new RecordBatchBuilder[partitions];
            final UnsafeBuffer[] buffers = new UnsafeBuffer[partitions];
            final long[] firstLines = new long[partitions];
            final ClientConnection[] leaders = new ClientConnection[partitions];
            for (int p = 0; p < partitions; p++)
            {
                if (null == partition || p == partition)
                {
                    leaders[p] = brokers.leaderOf(description, p); // each partition goes to its leader
                }
                buffers[p] = new UnsafeBuffer(new byte[maxBatch]);
                builders[p] = new RecordBatchBuilder().wrap(buffers[p], 0, maxBatch);
            }

            final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            long lineNumber = 0;
            int nextPartition = 0;
            String line;
            while (null != (line = in.readLine()))
            {
                lineNumber++;
                byte[] key = null;
                String value = line;
                if (null != keySeparator)
                {
                    final int at = line.indexOf(keySeparator);
                    if (at < 0)
                    {
                        err.println("sluice produce: line " + lineNumber + " has no key separator '" + keySeparator +
                            "': not sent");
                        failed++;
                        continue;
                    }
                    key = line.substring(0, at).getBytes(StandardCharsets.UTF_8);
                    value = line.substring(at + keySeparator.length());
                }
                final int p = null != partition ? partition :
                    null != key ? hash(key, partitions) : nextPartition++ % partitions;
                final byte[] valueBytes = "long".equals(valueFormat) ? longBytes(value) :
                    value.getBytes(StandardCharsets.UTF_8);
                if (null == valueBytes)
                {
                    err.println("sluice produce: line " + lineNumber + ": '" + value + "' is not a whole number: not sent");
                    failed++;
                    continue;
                }
                final long now = System.currentTimeMillis();
                if (0 == builders[p].recordCount())
                {
                    firstLines[p] = lineNumber;
                }
                if (!builders[p].append(now, key, valueBytes))
                {
                    if (builders[p].recordCount() > 0)
                    {
                        send(brokers, leaders[p], acksMode, p, builders[p], buffers[p], firstLines[p]);
                        builders[p].wrap(buffers[p], 0, maxBatch);
                    }
                    firstLines[p] = lineNumber;
                    if (!builders[p].append(now, key, valueBytes))
                    {
                        err.println("sluice produce: line " + lineNumber + " (" + valueBytes.length +
                            " bytes) is larger than the largest batch, " + maxBatch + " bytes: not sent");
                        failed++;
                        continue;
                    }
                }
                if (builders[p].recordCount() >= MAX_BATCH_RECORDS || !in.ready())
                {
                    for (int q = 0; q < partitions; q++)
                    {
                        if (builders[q].recordCount() > 0)
                        {
                            send(brokers, leaders[q], acksMode, q, builders[q], buffers[q], firstLines[q]);
                            builders[q].wrap(buffers[q], 0, maxBatch);
                        }
                    }
                }
                brokers.poll(this, 64);
            }
            for (int q = 0; q < partitions; q++)
            {
                if (builders[q].recordCount() > 0)
                {
                    send(brokers, leaders[q], acksMode, q, builders[q], buffers[q], firstLines[q]);
                }
            }
            awaitInFlight(brokers, 0);
            // Requests on one connection are handled in order: once this answer is back, every produce request
            // sent before it has been handled, acks=0 ones included.
            for (final ClientConnection used : brokers.all())
            {
                used.describeTopic(topic);
            }
            brokers.poll(this, 256);

            if (failed > 0)
            {
                err.println("sluice produce: " + failed + " of " + lineNumber +
                    " records were not acknowledged");
                err.flush();
                return 1;
            }
            return 0;
        }
        finally
        {
            if (null != err)
            {
                err.flush();
            }
        }
    }

    /**
     * @return the value as an 8-byte big-endian long, or null if it is not a whole number.
     */
    private static byte[] longBytes(final String value)
    {
        try
        {
            return java.nio.ByteBuffer.allocate(Long.BYTES).putLong(Long.parseLong(value.trim())).array();
        }
        catch (final NumberFormatException ex)
        {
            return null;
        }
    }

    private int hash(final byte[] key, final int partitions)
    {
        keyHash.reset();
        keyHash.update(key);
        return (int)(keyHash.getValue() % partitions);
    }

    private void send(
        final Brokers brokers,
        final ClientConnection connection,
        final Acks acksMode,
        final int p,
        final RecordBatchBuilder builder,
        final UnsafeBuffer buffer,
        final long firstLine)
    {
        final int records = builder.recordCount();
        final int length = builder.build();
        awaitInFlight(brokers, MAX_IN_FLIGHT - 1);
        final long correlationId = nextCorrelationId++;
        final long deadlineNs = System.nanoTime() + 30_000_000_000L;
        idle.reset();
        long result;
        while ((result = connection.offerProduce(correlationId, topicId, p, acksMode, buffer, 0, length)) < 0)
        {
            if (result == ClientConnection.MESSAGE_TOO_LARGE)
            {
                throw new IllegalStateException("batch of " + length + " bytes is too large for the connection");
            }
            checkConnected(brokers, deadlineNs);
            idle.idle(brokers.poll(this, 64));
        }
        if (acksMode != Acks.NONE)
        {
            inFlight.put(correlationId, new InFlight(firstLine, records));
        }
    }

    private void awaitInFlight(final Brokers brokers, final int most)
    {
        final long deadlineNs = System.nanoTime() + 30_000_000_000L;
        idle.reset();
        while (inFlight.size() > most)
        {
            checkConnected(brokers, deadlineNs);
            idle.idle(brokers.poll(this, 64));
        }
    }

    private void checkConnected(final Brokers brokers, final long deadlineNs)
    {
        if (!brokers.isConnected())
        {
            throw new SluiceClientException(null, "lost the connection to a broker (bootstrap " + client.bootstrap +
                ") with " + inFlight.size() + " requests unacknowledged");
        }
        if (System.nanoTime() - deadlineNs > 0)
        {
            throw new SluiceClientException(null, "no acknowledgement from the broker at " + client.bootstrap +
                " within 30 s");
        }
    }

    public void onProduceResponse(
        final long correlationId,
        final int topicId,
        final int partition,
        final ErrorCode errorCode,
        final long baseOffset,
        final long logStartOffset,
        final String errorMessage)
    {
        final InFlight request = inFlight.remove(correlationId);
        final int records = null == request ? 0 : request.records();
        if (errorCode != ErrorCode.NONE)
        {
            failed += records;
            err.println("sluice produce: " + records + " record(s) from line " +
                (null == request ? "?" : request.firstLine()) + " refused: " + errorCode + " (" + errorMessage + ")");
        }
    }

    public void onError(
        final long correlationId, final ErrorCode errorCode, final int requestTemplateId, final String errorMessage)
    {
        err.println("sluice produce: broker error " + errorCode + ": " + errorMessage);
    }
}
