package io.sluice.perf.e2e;

import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.sluice.broker.SluiceBroker;
import io.sluice.codecs.RecordBatchBuilder;
import io.sluice.codecs.RecordBatchView;
import io.sluice.codecs.client.Acks;
import io.sluice.codecs.client.CreditMode;
import io.sluice.codecs.client.ErrorCode;
import io.sluice.engine.LogConfig;
import io.sluice.transport.ClientConnection;
import io.sluice.transport.ClientProtocol;
import io.sluice.transport.ClientResponseListener;
import io.sluice.transport.FetchedRecords;
import org.agrona.BufferUtil;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.IoUtil;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.YieldingIdleStrategy;

import java.io.File;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Sluice's broker, in this JVM, with its clients over UDP loopback ({@code sluice-udp}) or over shared memory
 * ({@code sluice-ipc}). Both use the broker's media driver, as Aeron's own loopback benchmarks run: on UDP every
 * message still crosses the loopback sockets, but the machine runs one driver thread instead of two, which on 2 cores
 * halved the UDP target's ack p99. {@code -Dsluice.e2e.separateClientDriver=true} gives the UDP clients a driver of
 * their own, as a client in another process would have.
 * <p>
 * The latency profile: the broker agent uses the yielding idle strategy, the best measured on a 2-core machine (see
 * the build notes; the broker's default, backoff, trades latency for an idle machine), and runs its media driver in
 * its own duty cycle ({@code INVOKER}; {@code -Dsluice.e2e.driverThreading=SHARED} for a driver thread). A separate
 * client driver is {@code SHARED}, yielding. Segments are pre-touched 64 MiB ahead.
 * <p>
 * Producer: sends a record at once when fewer than {@value #MAX_IN_FLIGHT} requests are in flight, otherwise adds
 * it to the next batch (at most {@value #MAX_BATCH_BYTES} bytes), round-robin over partitions by batch: Kafka's
 * {@code linger.ms=0} behaviour. Consumer: one fetch session per partition from the log end, credit of
 * {@value #CREDIT_WINDOW} records topped up as records are handed over.
 */
final class SluiceTarget implements E2eTarget
{
    static final String UDP_NAME = "sluice-udp";
    static final String IPC_NAME = "sluice-ipc";
    static final int MAX_IN_FLIGHT = 8;
    static final int MAX_BATCH_BYTES = 16 * 1024;
    static final int CREDIT_WINDOW = 4096;
    private static final int TERM_LENGTH = 16 * 1024 * 1024;
    private static final boolean SEPARATE_CLIENT_DRIVER = Boolean.getBoolean("sluice.e2e.separateClientDriver");
    /** The broker's {@code log.pretouch.bytes}; {@code -Dsluice.e2e.pretouchBytes=0} turns pre-touching off. */
    private static final long PRETOUCH_BYTES = Long.getLong("sluice.e2e.pretouchBytes", 64L * 1024 * 1024);

    private final boolean ipc;
    private File directory;
    private SluiceBroker broker;
    private MediaDriver clientDriver;
    private int topicId;
    private int partitions;

    static final SluiceBroker.DriverThreading DRIVER_THREADING = SluiceBroker.DriverThreading.valueOf(
        System.getProperty("sluice.e2e.driverThreading", "INVOKER"));

    SluiceTarget(final boolean ipc)
    {
        this.ipc = ipc;
    }

    public String name()
    {
        return ipc ? IPC_NAME : UDP_NAME;
    }

    public void start(final E2eSettings settings) throws Exception
    {
        directory = Files.createTempDirectory(settings.directory().toPath(), "sluice-e2e-").toFile();
        broker = SluiceBroker.launch(new SluiceBroker.Context()
            .dataDirectory(new File(directory, "data"))
            .listen("127.0.0.1:0")
            .idleProfile(SluiceBroker.IdleProfile.YIELDING)
            .driverThreading(DRIVER_THREADING)
            .clientTermLength(TERM_LENGTH)
            .logDefault(LogConfig.PRETOUCH_BYTES, String.valueOf(PRETOUCH_BYTES)));
        if (!ipc && SEPARATE_CLIENT_DRIVER)
        {
            clientDriver = MediaDriver.launchEmbedded(new MediaDriver.Context()
                .threadingMode(ThreadingMode.SHARED)
                .sharedIdleStrategy(new YieldingIdleStrategy())
                .termBufferSparseFile(true)
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true));
        }
        partitions = settings.partitions();
        try (ClientConnection admin = connect())
        {
            topicId = admin.createTopic(settings.topic(), partitions, 1, Map.of());
        }
    }

    public String description()
    {
        return "Sluice broker in this JVM (one agent, yielding idle), media driver " +
            (DRIVER_THREADING == SluiceBroker.DriverThreading.INVOKER ? "INVOKER (run by the broker agent)" :
            "SHARED/yielding") + "; clients over " +
            (ipc ? "IPC" : "UDP loopback") + (null == clientDriver ? " through the broker's driver" :
            " through their own driver (SHARED/yielding)") +
            "\n  producer: send at once below " + MAX_IN_FLIGHT + " requests in flight, else batch up to " +
            MAX_BATCH_BYTES + " bytes; consumer: fetch sessions with " + CREDIT_WINDOW + " records of credit";
    }

    public E2eProducer newProducer(
        final int acks, final ProducerProfile profile, final E2eProducer.AckListener listener)
    {
        return new Producer(connect(), topicId, partitions, 0 == acks ? Acks.NONE : 1 == acks ? Acks.LEADER : Acks.ALL,
            listener);
    }

    public E2eConsumer newConsumer()
    {
        return new Consumer(connect(), topicId, partitions);
    }

    public void close()
    {
        CloseHelper.quietCloseAll(broker, clientDriver);
        broker = null;
        clientDriver = null;
        if (null != directory)
        {
            IoUtil.delete(directory, true);
            directory = null;
        }
    }

    SluiceBroker broker()
    {
        return broker;
    }

    boolean ipc()
    {
        return ipc;
    }

    private ClientConnection connect()
    {
        return ClientConnection.connect(new ClientConnection.Context()
            .bootstrap(broker.listenEndpoint())
            .aeronDirectoryName(null == clientDriver ? broker.aeronDirectoryName() : clientDriver.aeronDirectoryName())
            .ipc(ipc)
            .termLength(TERM_LENGTH)
            .clientName("sluice-e2e"));
    }

    private static ClientConnection[] sameForEvery(final ClientConnection connection, final int partitions)
    {
        final ClientConnection[] connections = new ClientConnection[partitions];
        Arrays.fill(connections, connection);
        return connections;
    }

    /**
     * @param connections by partition.
     * @return each connection once, in order of first appearance (connections are compared by identity).
     */
    static ClientConnection[] distinct(final ClientConnection[] connections)
    {
        final List<ClientConnection> distinct = new ArrayList<>();
        for (final ClientConnection connection : connections)
        {
            boolean seen = false;
            for (final ClientConnection other : distinct)
            {
                seen |= other == connection;
            }
            if (!seen)
            {
                distinct.add(connection);
            }
        }
        return distinct.toArray(new ClientConnection[0]);
    }

    /**
     * Batches records while requests are in flight; acknowledges every record of a batch when its response comes.
     * Each partition's batches go to that partition's connection (its leader's, in a cluster). Allocation-free per
     * record.
     */
    static final class Producer implements E2eProducer, ClientResponseListener
    {
        private final ClientConnection[] connections;
        private final ClientConnection[] distinctConnections;
        private final int topicId;
        private final int partitions;
        private final Acks acks;
        private final AckListener listener;
        private final UnsafeBuffer batch = new UnsafeBuffer(BufferUtil.allocateDirectAligned(MAX_BATCH_BYTES, 64));
        private final RecordBatchBuilder builder = new RecordBatchBuilder();
        private final Long2LongHashMap inFlight = new Long2LongHashMap(-1);
        private long firstSequence;
        private int count;
        private int builtLength;
        private int nextPartition;
        private long timestampMs;

        Producer(
            final ClientConnection connection,
            final int topicId,
            final int partitions,
            final Acks acks,
            final AckListener listener)
        {
            this(sameForEvery(connection, partitions), topicId, partitions, acks, listener);
        }

        /**
         * @param connections by partition: where each partition's batches go; one connection may serve several.
         * @param topicId     of the topic.
         * @param partitions  of the topic.
         * @param acks        of every request.
         * @param listener    told of every record's outcome.
         */
        Producer(
            final ClientConnection[] connections,
            final int topicId,
            final int partitions,
            final Acks acks,
            final AckListener listener)
        {
            this.connections = connections.clone();
            this.distinctConnections = distinct(connections);
            this.topicId = topicId;
            this.partitions = partitions;
            this.acks = acks;
            this.listener = listener;
        }

        public boolean send(final DirectBuffer buffer, final int offset, final int length, final long sequence)
        {
            if (builtLength > 0 && !sendBatch())
            {
                return false;
            }
            if (0 == count)
            {
                builder.wrap(batch, 0, MAX_BATCH_BYTES);
                firstSequence = sequence;
                timestampMs = System.currentTimeMillis();
            }
            if (!builder.append(timestampMs, null, 0, 0, buffer, offset, length))
            {
                if (0 == count)
                {
                    throw new IllegalArgumentException("a record of " + length + " bytes does not fit a batch");
                }
                sendBatch();
                return false;
            }
            count++;
            if (inFlight.size() < MAX_IN_FLIGHT)
            {
                sendBatch();
            }
            return true;
        }

        public boolean acksArriveInPoll()
        {
            return true;
        }

        public int poll()
        {
            int work = 0;
            for (final ClientConnection connection : distinctConnections)
            {
                work += connection.poll(this, 64);
            }
            if (count > 0 && inFlight.size() < MAX_IN_FLIGHT)
            {
                sendBatch();
            }
            return work;
        }

        public boolean flush(final long timeoutNs)
        {
            final long deadline = System.nanoTime() + timeoutNs;
            while ((count > 0 || !inFlight.isEmpty()) && System.nanoTime() - deadline < 0)
            {
                if (0 == poll())
                {
                    Thread.yield();
                }
            }
            return count == 0 && inFlight.isEmpty();
        }

        public void close()
        {
            CloseHelper.quietCloseAll(distinctConnections);
        }

        /**
         * Offer the batch being built, and forget it if the offer is taken.
         */
        private boolean sendBatch()
        {
            if (0 == builtLength)
            {
                builtLength = builder.build();
            }
            final long correlationId = firstSequence;
            final long result = connections[nextPartition].offerProduce(
                correlationId, topicId, nextPartition, acks, batch, 0, builtLength);
            if (result < 0)
            {
                return false;
            }
            if (acks == Acks.NONE)
            {
                for (int i = 0; i < count; i++)
                {
                    listener.onAck(firstSequence + i);
                }
            }
            else
            {
                inFlight.put(correlationId, count);
            }
            nextPartition = nextPartition + 1 == partitions ? 0 : nextPartition + 1;
            count = 0;
            builtLength = 0;
            return true;
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
            final long records = inFlight.remove(correlationId);
            for (long i = 0; i < records; i++)
            {
                if (errorCode == ErrorCode.NONE)
                {
                    listener.onAck(correlationId + i);
                }
                else
                {
                    listener.onError(correlationId + i, new IllegalStateException(errorCode + ": " + errorMessage));
                }
            }
        }
    }

    /**
     * Every partition from the log end, each through its own connection (its leader's, in a cluster); credit topped
     * up as records are handed over.
     */
    static final class Consumer implements E2eConsumer, ClientResponseListener
    {
        private final ClientConnection[] connections;
        private final ClientConnection[] distinctConnections;
        private final long[] uncredited;
        private final FetchedRecords fetched = new FetchedRecords();
        private final FetchedRecords.RecordHandler forward = this::forward;
        private RecordHandler handler;
        private int opened;
        private String failure;

        Consumer(final ClientConnection connection, final int topicId, final int partitions)
        {
            this(sameForEvery(connection, partitions), topicId, partitions);
        }

        /**
         * Open a fetch session per partition (its number is the session id) and wait until all are open.
         *
         * @param connections by partition: where each partition is fetched; one connection may serve several.
         * @param topicId     of the topic.
         * @param partitions  of the topic.
         * @throws IllegalStateException if a session does not open within 10 s; the connections are closed.
         */
        Consumer(final ClientConnection[] connections, final int topicId, final int partitions)
        {
            this.connections = connections.clone();
            this.distinctConnections = distinct(connections);
            this.uncredited = new long[partitions];
            for (int p = 0; p < partitions; p++)
            {
                final ClientConnection connection = connections[p];
                while (connection.offerFetch(connection.nextCorrelationId(), p, topicId, p,
                    ClientProtocol.LATEST_OFFSET, CreditMode.RECORDS, CREDIT_WINDOW) < 0)
                {
                    pollAll(16);
                }
            }
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (opened < partitions && null == failure && System.nanoTime() - deadline < 0)
            {
                pollAll(16);
            }
            if (opened < partitions)
            {
                close();
                throw new IllegalStateException("fetch sessions did not open: " + failure);
            }
        }

        public int poll(final RecordHandler handler)
        {
            this.handler = handler;
            final int work = pollAll(64);
            for (int p = 0; p < uncredited.length; p++)
            {
                if (uncredited[p] >= CREDIT_WINDOW / 2 && connections[p].offerCredit(p, uncredited[p]) > 0)
                {
                    uncredited[p] = 0;
                }
            }
            return work;
        }

        public void close()
        {
            CloseHelper.quietCloseAll(distinctConnections);
        }

        private int pollAll(final int fragmentLimit)
        {
            int work = 0;
            for (final ClientConnection connection : distinctConnections)
            {
                work += connection.poll(this, fragmentLimit);
            }
            return work;
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
            if (errorCode == ErrorCode.NONE)
            {
                opened++;
            }
            else
            {
                failure = errorCode + ": " + errorMessage;
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
            uncredited[partition] += fetched.forEach(buffer, offset, length, fromOffset, toOffset, forward);
        }

        private void forward(final RecordBatchView record)
        {
            final DirectBuffer value = record.value();
            handler.onRecord(value, 0, value.capacity());
        }
    }
}
