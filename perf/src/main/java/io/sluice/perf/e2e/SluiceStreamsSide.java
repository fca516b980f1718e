package io.sluice.perf.e2e;

import io.sluice.broker.SluiceBroker;
import io.sluice.client.ClientOptions;
import io.sluice.client.ConsumerOptions;
import io.sluice.client.IdleProfile;
import io.sluice.client.Serdes;
import io.sluice.client.SluiceClient;
import io.sluice.client.TopicPartition;
import io.sluice.codecs.RecordBatchBuilder;
import io.sluice.codecs.client.Acks;
import io.sluice.codecs.client.ErrorCode;
import io.sluice.engine.LogConfig;
import io.sluice.streams.Consumed;
import io.sluice.streams.KeyValue;
import io.sluice.streams.Materialized;
import io.sluice.streams.Produced;
import io.sluice.streams.Serde;
import io.sluice.streams.StreamsApp;
import io.sluice.streams.StreamsBuilder;
import io.sluice.streams.StreamsConfig;
import io.sluice.streams.TimeWindows;
import io.sluice.streams.Topology;
import io.sluice.transport.ClientConnection;
import io.sluice.transport.ClientResponseListener;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import reactor.core.Disposable;

import java.io.File;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The Sluice side of {@link StreamsBenchmark}: a broker in this JVM, the windowed count as a {@link StreamsApp}, a
 * low-level {@link ClientConnection} sending inputs (acks from the leader), and a reactive consumer of the outputs
 * on the application's client (one client I/O thread, as a process would run). The broker's logs keep the engine's
 * defaults but for 8 MiB segments (see {@link #SEGMENT_BYTES}). Broker, application and clients idle with one profile: {@value #NAME} yields (the latency profile, as {@code e2e}
 * runs Sluice); {@value #BACKOFF_NAME} backs off (the brokers' and clients' default), which leaves the two cores to
 * the threads with work and so carries more records per second.
 */
final class SluiceStreamsSide implements StreamsBenchmark.Side
{
    static final String NAME = "sluice-streams";
    static final String BACKOFF_NAME = "sluice-streams-backoff";
    private static final String APPLICATION_ID_PREFIX = "sluice-streams-bench-";
    private static final int PRELOAD_BATCH_RECORDS = 200;
    private static final int MAX_IN_FLIGHT = 64;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    /**
     * The broker's {@code log.pretouch.bytes}, the engine's default unless {@code -Dsluice.streams.pretouchBytes=N}
     * (0: off), for exploring.
     */
    private static final String PRETOUCH_BYTES = System.getProperty("sluice.streams.pretouchBytes",
        LogConfig.defaults().values().get(LogConfig.PRETOUCH_BYTES));
    /** The broker's {@code log.flush.policy}, the engine's default unless {@code -Dsluice.streams.flushPolicy=P}. */
    private static final String FLUSH_POLICY = System.getProperty("sluice.streams.flushPolicy",
        LogConfig.defaults().values().get(LogConfig.FLUSH_POLICY));

    /**
     * The broker's {@code log.segment.bytes}: 8 MiB unless {@code -Dsluice.streams.segmentBytes=N}, for exploring.
     * The broker zero-fills each segment before use, so a long-lived log writes about one byte of zeros per byte
     * appended, whatever the segment size; but a new partition gets a whole segment and a spare at once, and in a
     * round's short phases 64 MiB segments wrote several times more zeros than records.
     */
    private static final String SEGMENT_BYTES =
        System.getProperty("sluice.streams.segmentBytes", String.valueOf(8 * 1024 * 1024));
    /**
     * The broker's driver threading, {@code shared} (a thread of its own) unless
     * {@code -Dsluice.streams.driverThreading=invoker} (run by the broker agent), for exploring.
     */
    private static final SluiceBroker.DriverThreading DRIVER_THREADING = SluiceBroker.DriverThreading.valueOf(
        System.getProperty("sluice.streams.driverThreading", "shared").toUpperCase(java.util.Locale.ROOT));

    private final boolean yielding;
    private File directory;
    private int round;
    private final UnsafeBuffer batch = new UnsafeBuffer(ByteBuffer.allocateDirect(256 * 1024));
    private final RecordBatchBuilder builder = new RecordBatchBuilder();
    private SluiceBroker broker;
    private ClientConnection sender;
    private SluiceClient client;
    private Disposable reader;
    private StreamsApp app;
    private int topicId;
    private int partitions;
    private byte[][] words;
    private long nextCorrelationId = 1L << 40;
    private long inFlight;
    private String failure;

    private final ClientResponseListener acks = new ClientResponseListener()
    {
        public void onProduceResponse(final long correlationId, final int topicId, final int partition,
            final ErrorCode errorCode, final long baseOffset, final long logStartOffset, final String errorMessage)
        {
            inFlight--;
            if (errorCode != ErrorCode.NONE && null == failure)
            {
                failure = "produce refused: " + errorCode + " " + errorMessage;
            }
        }
    };

    SluiceStreamsSide(final boolean yielding)
    {
        this.yielding = yielding;
    }

    public String name()
    {
        return yielding ? NAME : BACKOFF_NAME;
    }

    public String description()
    {
        return "Sluice broker in this JVM (" + (yielding ? "yielding" : "backoff") + " idle), StreamsApp (one " +
            "stream thread, in-memory stores, commit every 100 ms, idempotent acks=all producer), inputs from a " +
            "ClientConnection (acks=1), outputs read by the reactive consumer on the application's client";
    }

    /**
     * Nothing lives across rounds: a broker idling with the yielding profile would take CPU from the other sides'
     * rounds. The JVM keeps the compiled code.
     */
    public String start(final StreamsBenchmark.Options options, final File directory)
    {
        this.directory = directory;
        partitions = options.partitions();
        words = new byte[options.keys()][];
        for (int k = 0; k < words.length; k++)
        {
            words[k] = StreamsBenchmark.word(k).getBytes(StandardCharsets.UTF_8);
        }
        return "a broker in this JVM for each round";
    }

    public void startRound(final int round)
    {
        this.round = round;
        failure = null;
        inFlight = 0;
        broker = SluiceBroker.launch(new SluiceBroker.Context()
            .dataDirectory(new File(directory, "data-" + round))
            .listen("127.0.0.1:0")
            .idleProfile(yielding ? SluiceBroker.IdleProfile.YIELDING : SluiceBroker.IdleProfile.BACKOFF)
            .driverThreading(DRIVER_THREADING)
            .logDefault(LogConfig.SEGMENT_BYTES, SEGMENT_BYTES)
            .logDefault(LogConfig.PRETOUCH_BYTES, PRETOUCH_BYTES)
            .logDefault(LogConfig.FLUSH_POLICY, FLUSH_POLICY));
        sender = ClientConnection.connect(new ClientConnection.Context()
            .bootstrap(broker.listenEndpoint())
            .aeronDirectoryName(broker.aeronDirectoryName())
            .clientName("streams-bench-sender")
            .requestTimeout(30, TimeUnit.SECONDS));
        topicId = sender.createTopic(StreamsBenchmark.input(round), partitions, 1, Map.of());
        sender.createTopic(StreamsBenchmark.output(round), partitions, 1, Map.of());
        client = SluiceClient.create(clientOptions());
    }

    private ClientOptions clientOptions()
    {
        return ClientOptions.create(broker.listenEndpoint())
            .withAeronDirectoryName(broker.aeronDirectoryName())
            .withIdleProfile(yielding ? IdleProfile.YIELDING : IdleProfile.BACKOFF)
            .withRequestTimeout(TIMEOUT);
    }

    public void preload(final long count, final long dueNs)
    {
        // A key's partition is key % partitions (as send does): partition p takes keys p, p + partitions, ...
        final byte[] due = StreamsBenchmark.dueBytes(dueNs);
        final long[] cursors = new long[partitions];
        long sent = 0;
        while (sent < count)
        {
            for (int partition = 0; partition < partitions && sent < count; partition++)
            {
                final int keysHere = (words.length - partition + partitions - 1) / partitions;
                if (keysHere <= 0)
                {
                    continue;
                }
                builder.wrap(batch, 0, batch.capacity());
                final long now = System.currentTimeMillis();
                for (int records = 0; records < PRELOAD_BATCH_RECORDS && sent < count; records++, sent++)
                {
                    final int key = (int)(partition + (cursors[partition]++ % keysHere) * partitions);
                    builder.append(now, words[key], due);
                }
                offer(partition, builder.build());
            }
        }
        awaitAcks(0);
    }

    private void offer(final int partition, final int length)
    {
        awaitAcks(MAX_IN_FLIGHT - 1);
        final long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (sender.offerProduce(nextCorrelationId, topicId, partition, Acks.LEADER, batch, 0, length) < 0)
        {
            if (System.nanoTime() > deadline)
            {
                throw new IllegalStateException("the broker took no produce for " + TIMEOUT.toSeconds() + " s");
            }
            idleSender();
            Thread.yield();
        }
        nextCorrelationId++;
        inFlight++;
    }

    private void awaitAcks(final long atMost)
    {
        final long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (inFlight > atMost)
        {
            if (0 == sender.poll(acks, 64))
            {
                if (System.nanoTime() > deadline)
                {
                    throw new IllegalStateException(inFlight + " produce requests unanswered for " +
                        TIMEOUT.toSeconds() + " s");
                }
                Thread.yield();
            }
        }
        if (null != failure)
        {
            throw new IllegalStateException(failure);
        }
    }

    public void startReader(final StreamsBenchmark.OutputListener listener)
    {
        ConsumerOptions<byte[], byte[]> options = ConsumerOptions.create(
            Serdes.bytesDeserializer(), Serdes.bytesDeserializer());
        final TopicPartition[] assignment = new TopicPartition[partitions];
        for (int p = 0; p < partitions; p++)
        {
            assignment[p] = new TopicPartition(StreamsBenchmark.output(round), p);
            options = options.withSeek(assignment[p], ConsumerOptions.BEGINNING);
        }
        reader = client.consumer(options.withAssignment(assignment))
            .receiveAutoAck()
            .subscribe((record) -> listener.onOutput(StreamsBenchmark.dueOf(record.value())));
    }

    public void startApplication(final StreamsBenchmark.ProcessedListener probe)
    {
        // Over the reader's client: one client I/O thread, not two yielding ones on the 2 cores.
        app = new StreamsApp(topology(round, probe),
            StreamsConfig.create(APPLICATION_ID_PREFIX + round, clientOptions())
                .withCommitInterval(Duration.ofMillis(100)), client);
        app.start();
    }

    static Topology topology(final int round, final StreamsBenchmark.ProcessedListener probe)
    {
        final StreamsBuilder builder = new StreamsBuilder();
        builder.stream(StreamsBenchmark.input(round), Consumed.with(Serde.string(), Serde.bytes()))
            .groupByKey()
            .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofSeconds(StreamsBenchmark.WINDOW_SECONDS),
                Duration.ofSeconds(1)))
            .aggregate(() -> new byte[0],
                (key, value, aggregate) -> StreamsBenchmark.aggregate(value, aggregate, probe),
                Materialized.<String, byte[]>as("bench-counts").withValueSerde(Serde.bytes()))
            .toStream()
            .map((window, value) -> KeyValue.pair(window.key() + "@" + window.window().start(), value))
            .to(StreamsBenchmark.output(round), Produced.with(Serde.string(), Serde.bytes()));
        return builder.build();
    }

    public void send(final int key, final long dueNs)
    {
        final int word = key % words.length;
        builder.wrap(batch, 0, batch.capacity());
        builder.append(System.currentTimeMillis(), words[word], StreamsBenchmark.dueBytes(dueNs));
        offer(word % partitions, builder.build());
    }

    public void idleSender()
    {
        sender.poll(acks, 64);
    }

    /**
     * Close the round's application, reader, clients and broker, and delete the broker's data.
     */
    public void endRound()
    {
        final Disposable consumer = reader;
        try
        {
            CloseHelper.closeAll(app, () ->
            {
                if (null != consumer)
                {
                    consumer.dispose();
                }
            }, client, sender, broker);
        }
        finally
        {
            app = null;
            reader = null;
            client = null;
            sender = null;
            broker = null;
            if (round > 0)
            {
                org.agrona.IoUtil.delete(new File(directory, "data-" + round), true);
            }
        }
    }

    public void close()
    {
        endRound();
    }
}
