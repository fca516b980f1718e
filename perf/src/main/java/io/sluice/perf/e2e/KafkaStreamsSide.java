package io.sluice.perf.e2e;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.state.Stores;

import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The Kafka side of {@link StreamsBenchmark}: one Kafka 4.4 broker in a child JVM ({@link KafkaBrokerProcess}), the
 * windowed count on Kafka Streams in this JVM (one stream thread, in-memory window store, record cache off, commit
 * every 100 ms, producer linger 0), a {@link KafkaProducer} sending inputs ({@code acks=1}, linger 0) and a
 * {@link KafkaConsumer} reading the outputs on a thread of its own.
 */
final class KafkaStreamsSide implements StreamsBenchmark.Side
{
    static final String NAME = "kafka-streams";
    static final String APPLICATION_ID_PREFIX = "kafka-streams-bench-";
    static final boolean PAUSE_BETWEEN_ROUNDS =
        Boolean.parseBoolean(System.getProperty("sluice.perf.kafka.pauseBetweenRounds", "true"));

    private KafkaBrokerProcess broker;
    private KafkaProducer<String, byte[]> producer;
    private KafkaStreams streams;
    private Thread readerThread;
    private volatile boolean running;
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private File directory;
    private int round;
    /** Between {@link #startRound} and {@link #endRound}: the round's topics exist and the broker runs. */
    private boolean inRound;
    private int partitions;
    private String[] words;

    public String name()
    {
        return NAME;
    }

    public String description()
    {
        return "Kafka 4.4 broker (KRaft, one node) in a child JVM" + (PAUSE_BETWEEN_ROUNDS ?
            " frozen outside its rounds" : "") + ", Kafka Streams 4.4 in this JVM (one stream " +
            "thread, in-memory window store, cache off, commit every 100 ms, producer linger 0, at least once), " +
            "inputs from a KafkaProducer (acks=1, linger 0), outputs read by a KafkaConsumer";
    }

    /**
     * Start the broker, kept for every round: a child JVM started each round would run every round's broker code
     * cold, which the rounds of this JVM's own code are not.
     */
    public String start(final StreamsBenchmark.Options options, final File directory) throws Exception
    {
        this.directory = directory;
        partitions = options.partitions();
        words = new String[options.keys()];
        for (int k = 0; k < words.length; k++)
        {
            words[k] = StreamsBenchmark.word(k);
        }
        // A round's deleted topics leave at once, not 60 s later in another side's round (with their writeback).
        // Frozen between its rounds, the broker would miss its controller's 9 s session (it is its own controller)
        // and be fenced at every resume: one node needs no liveness check.
        broker = KafkaBrokerProcess.start(directory, PAUSE_BETWEEN_ROUNDS ?
            Map.of("log.segment.delete.delay.ms", "0", "broker.session.timeout.ms", "3600000") :
            Map.of("log.segment.delete.delay.ms", "0"));
        if (PAUSE_BETWEEN_ROUNDS)
        {
            broker.pause();
            return "Kafka broker started in a child JVM, kept for every round, frozen between its rounds";
        }
        return "Kafka broker started in a child JVM, kept for every round";
    }

    public void startRound(final int round) throws Exception
    {
        this.round = round;
        running = true;
        failure.set(null);
        if (PAUSE_BETWEEN_ROUNDS)
        {
            broker.resume();
        }
        inRound = true;
        broker.createTopic(StreamsBenchmark.input(round), partitions);
        broker.createTopic(StreamsBenchmark.output(round), partitions);
        final Map<String, Object> config = Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
            ProducerConfig.ACKS_CONFIG, "1",
            ProducerConfig.LINGER_MS_CONFIG, 0,
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
    }

    public void preload(final long count, final long dueNs) throws Exception
    {
        final byte[] due = StreamsBenchmark.dueBytes(dueNs);
        for (long i = 0; i < count; i++)
        {
            final int key = (int)(i % words.length);
            producer.send(new ProducerRecord<>(StreamsBenchmark.input(round), key % partitions, words[key], due),
                (metadata, ex) ->
                {
                    if (null != ex)
                    {
                        failure.compareAndSet(null, ex);
                    }
                });
        }
        producer.flush();
        checkFailure();
    }

    private void checkFailure()
    {
        if (null != failure.get())
        {
            throw new IllegalStateException("Kafka side failed", failure.get());
        }
    }

    public void startReader(final StreamsBenchmark.OutputListener listener)
    {
        final Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
        final KafkaConsumer<byte[], byte[]> consumer =
            new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        final List<TopicPartition> assignment = new ArrayList<>();
        for (int p = 0; p < partitions; p++)
        {
            assignment.add(new TopicPartition(StreamsBenchmark.output(round), p));
        }
        consumer.assign(assignment);
        consumer.seekToBeginning(assignment);
        readerThread = new Thread(() ->
        {
            try (consumer)
            {
                while (running)
                {
                    for (final ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(10)))
                    {
                        listener.onOutput(StreamsBenchmark.dueOf(record.value()));
                    }
                }
            }
            catch (final Exception ex)
            {
                failure.compareAndSet(null, ex);
            }
        }, "kafka-streams-bench-reader");
        readerThread.start();
    }

    public void startApplication(final StreamsBenchmark.ProcessedListener probe)
    {
        final Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, APPLICATION_ID_PREFIX + round);
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        config.put(StreamsConfig.STATE_DIR_CONFIG, new File(directory, "kafka-streams-state-" + round).getPath());
        config.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        config.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        config.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
        config.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 0);
        streams = new KafkaStreams(topology(round, probe), config);
        streams.setUncaughtExceptionHandler((ex) ->
        {
            failure.compareAndSet(null, new IllegalStateException(ex));
            return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse
                .SHUTDOWN_CLIENT;
        });
        streams.start();
    }

    static Topology topology(final int round, final StreamsBenchmark.ProcessedListener probe)
    {
        final Duration window = Duration.ofSeconds(StreamsBenchmark.WINDOW_SECONDS);
        final Duration grace = Duration.ofSeconds(1);
        final StreamsBuilder builder = new StreamsBuilder();
        builder.stream(StreamsBenchmark.input(round), Consumed.with(Serdes.String(), Serdes.ByteArray()))
            .groupByKey(Grouped.with(Serdes.String(), Serdes.ByteArray()))
            .windowedBy(TimeWindows.ofSizeAndGrace(window, grace))
            .aggregate(() -> new byte[0],
                (key, value, aggregate) -> StreamsBenchmark.aggregate(value, aggregate, probe),
                Materialized.<String, byte[]>as(Stores.inMemoryWindowStore("bench-counts", window.plus(grace),
                    window, false)).withKeySerde(Serdes.String()).withValueSerde(Serdes.ByteArray()))
            .toStream()
            .map((windowed, value) -> KeyValue.pair(windowed.key() + "@" + windowed.window().start(), value))
            .to(StreamsBenchmark.output(round), Produced.with(Serdes.String(), Serdes.ByteArray()));
        return builder.build();
    }

    public void send(final int key, final long dueNs)
    {
        final int word = key % words.length;
        producer.send(new ProducerRecord<>(StreamsBenchmark.input(round), word % partitions, words[word],
            StreamsBenchmark.dueBytes(dueNs)), (metadata, ex) ->
            {
                if (null != ex)
                {
                    failure.compareAndSet(null, ex);
                }
            });
    }

    public void idleSender()
    {
        checkFailure();
    }

    /**
     * Close the round's application, reader and producer, then delete its topics, the application's internal ones
     * included, and its local state.
     */
    public void endRound() throws Exception
    {
        running = false;
        try
        {
            if (null != streams)
            {
                streams.close(Duration.ofSeconds(30));
                streams.cleanUp();
            }
            if (null != readerThread)
            {
                readerThread.join(TimeUnit.SECONDS.toMillis(30));
            }
            if (null != producer)
            {
                producer.close(Duration.ofSeconds(10));
            }
        }
        finally
        {
            streams = null;
            readerThread = null;
            producer = null;
        }
        if (inRound && null != broker)
        {
            inRound = false;
            broker.deleteTopics(StreamsBenchmark.input(round), StreamsBenchmark.output(round),
                APPLICATION_ID_PREFIX + round + "-");
            if (PAUSE_BETWEEN_ROUNDS)
            {
                broker.pause();
            }
        }
    }

    public void close() throws Exception
    {
        try
        {
            endRound();
        }
        finally
        {
            if (null != broker)
            {
                broker.close();
            }
        }
    }
}
