package io.sluice.perf.e2e;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Apache Kafka as an e2e target: one broker ({@code kafka}), or a cluster of {@value #CLUSTER_BROKERS}
 * ({@code kafka-cluster}: a 3-voter KRaft quorum, the topic with replication factor {@value #CLUSTER_BROKERS} and
 * {@code min.insync.replicas} {@value #CLUSTER_MIN_INSYNC_REPLICAS}), in child JVMs ({@link KafkaBrokerProcess}),
 * and Kafka's own Java clients in this JVM, with Kafka's defaults except:
 * <ul>
 *   <li>producer: {@code acks} as asked (1 in every phase), {@code enable.idempotence=false} (idempotence needs
 *   {@code acks=all}), {@code linger.ms=0} for latency phases (send at once; records that arrive while requests are in
 *   flight still share batches), {@code linger.ms=5} (Kafka 4's default) for throughput; {@code batch.size} 16384,
 *   {@code buffer.memory} 32 MiB, {@code max.in.flight.requests.per.connection} 5, no compression: the defaults;</li>
 *   <li>consumer: no group; {@link KafkaConsumer#assign} of every partition, then {@code seekToEnd};
 *   {@code fetch.min.bytes} 1 and {@code fetch.max.wait.ms} 500 (the defaults: the broker answers a fetch as soon as
 *   a record is there), {@link KafkaConsumer#poll} waits up to {@value #POLL_TIMEOUT_MS} ms.</li>
 * </ul>
 * Kafka's producer may block in {@code send} while its buffer is full (back-pressure); that time is charged to the
 * records it delays, as the harness measures from due times.
 * <p>
 * Threads: as {@link E2eTarget}. Acknowledgements arrive on the producer's I/O thread.
 */
final class KafkaTarget implements E2eTarget
{
    static final String NAME = "kafka";
    static final String CLUSTER_NAME = "kafka-cluster";
    static final int CLUSTER_BROKERS = 3;
    static final int CLUSTER_MIN_INSYNC_REPLICAS = 2;
    static final int LATENCY_LINGER_MS = 0;
    static final int THROUGHPUT_LINGER_MS = 5;
    static final long POLL_TIMEOUT_MS = 10;

    private final int brokers;
    private KafkaBrokerProcess broker;
    private E2eSettings settings;

    /**
     * One broker: the {@code kafka} target.
     */
    KafkaTarget()
    {
        this(1);
    }

    /**
     * @param brokers 1 for {@code kafka}, {@value #CLUSTER_BROKERS} for {@code kafka-cluster}.
     */
    KafkaTarget(final int brokers)
    {
        this.brokers = brokers;
    }

    public String name()
    {
        return 1 == brokers ? NAME : CLUSTER_NAME;
    }

    public void start(final E2eSettings settings) throws Exception
    {
        this.settings = settings;
        broker = KafkaBrokerProcess.start(settings.directory(), brokers, Map.of());
        if (1 == brokers)
        {
            broker.createTopic(settings.topic(), settings.partitions());
        }
        else
        {
            broker.createTopic(settings.topic(), settings.partitions(), brokers,
                Map.of("min.insync.replicas", Integer.toString(CLUSTER_MIN_INSYNC_REPLICAS)));
        }
    }

    public String description()
    {
        final String nodes = 1 == brokers ?
            "one broker in a child JVM (KRaft, broker and controller in one node, " :
            brokers + " brokers, each in a child JVM (KRaft, each node broker and controller, a " + brokers +
            "-voter quorum, ";
        final String topic = 1 == brokers ? "replication factor 1" :
            "replication factor " + brokers + ", min.insync.replicas " + CLUSTER_MIN_INSYNC_REPLICAS;
        return "Apache Kafka " + clientVersion() + " (clients and broker), " + nodes +
            String.join(" ", KafkaBrokerProcess.BROKER_JVM_FLAGS) + "), topic " + settings.topic() + " with " +
            settings.partitions() + " partition(s), " + topic + "\n" +
            "producer: acks as asked, enable.idempotence=true with acks=all (else false), linger.ms=" +
            LATENCY_LINGER_MS + " (latency) / " +
            THROUGHPUT_LINGER_MS + " (throughput), batch.size=16384 buffer.memory=32 MiB " +
            "max.in.flight.requests.per.connection=5 compression none (defaults)\n" +
            "consumer: assign + seekToEnd, fetch.min.bytes=1 fetch.max.wait.ms=500 (defaults), poll(" +
            POLL_TIMEOUT_MS + " ms)";
    }

    public E2eProducer newProducer(
        final int acks, final ProducerProfile profile, final E2eProducer.AckListener listener)
    {
        final Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "sluice-e2e-producer");
        config.put(ProducerConfig.ACKS_CONFIG, -1 == acks ? "all" : Integer.toString(acks));
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, -1 == acks);
        config.put(ProducerConfig.LINGER_MS_CONFIG,
            ProducerProfile.LATENCY == profile ? LATENCY_LINGER_MS : THROUGHPUT_LINGER_MS);
        return new Producer(
            new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer()), settings.topic(),
            listener);
    }

    public E2eConsumer newConsumer()
    {
        final Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "sluice-e2e-consumer");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        final KafkaConsumer<byte[], byte[]> consumer =
            new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        try
        {
            final List<TopicPartition> partitions = new ArrayList<>();
            for (final PartitionInfo info : consumer.partitionsFor(settings.topic()))
            {
                partitions.add(new TopicPartition(info.topic(), info.partition()));
            }
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            for (final TopicPartition partition : partitions)
            {
                // seekToEnd is lazy; position() looks the end up now, so records sent from here on are received.
                consumer.position(partition);
            }
            return new Consumer(consumer);
        }
        catch (final RuntimeException ex)
        {
            consumer.close();
            throw ex;
        }
    }

    public void close()
    {
        if (null != broker)
        {
            broker.close();
            broker = null;
        }
    }

    /**
     * The version of the Kafka clients on the class path, which the build keeps equal to the broker's.
     *
     * @return for example {@code 4.4.0}, or {@code unknown}.
     */
    static String clientVersion()
    {
        final Properties properties = new Properties();
        try (InputStream in = KafkaProducer.class.getResourceAsStream("/kafka/kafka-version.properties"))
        {
            if (null != in)
            {
                properties.load(in);
            }
        }
        catch (final IOException ignore)
        {
            // reported as unknown
        }
        return properties.getProperty("version", "unknown");
    }

    /**
     * The broker, for tests.
     *
     * @return the broker, or null before start and after close.
     */
    KafkaBrokerProcess broker()
    {
        return broker;
    }

    /**
     * {@link KafkaProducer} behind {@link E2eProducer}: a copy of the value and a callback per record (Kafka's API
     * needs both); counts outstanding records so {@link #flush} can wait with a timeout.
     */
    static final class Producer implements E2eProducer
    {
        private final KafkaProducer<byte[], byte[]> producer;
        private final String topic;
        private final AckListener listener;
        private final AtomicLong outstanding = new AtomicLong();

        Producer(final KafkaProducer<byte[], byte[]> producer, final String topic, final AckListener listener)
        {
            this.producer = producer;
            this.topic = topic;
            this.listener = listener;
        }

        public boolean send(final DirectBuffer buffer, final int offset, final int length, final long sequence)
        {
            final byte[] value = new byte[length];
            buffer.getBytes(offset, value);
            outstanding.incrementAndGet();
            producer.send(new ProducerRecord<>(topic, value), (metadata, error) ->
            {
                if (null == error)
                {
                    listener.onAck(sequence);
                }
                else
                {
                    listener.onError(sequence, error);
                }
                outstanding.decrementAndGet();
            });
            return true;
        }

        public int poll()
        {
            return 0;
        }

        public boolean flush(final long timeoutNs) throws InterruptedException
        {
            // linger.ms is at most 5 ms, so batches leave by themselves: wait without KafkaProducer.flush(), which
            // has no timeout.
            final long deadline = System.nanoTime() + timeoutNs;
            while (outstanding.get() > 0 && System.nanoTime() - deadline < 0)
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                if (Thread.interrupted())
                {
                    throw new InterruptedException();
                }
            }
            return 0 == outstanding.get();
        }

        public void close()
        {
            producer.close(Duration.ofSeconds(10));
        }
    }

    /**
     * {@link KafkaConsumer} behind {@link E2eConsumer}: wraps each value in one reused buffer.
     */
    static final class Consumer implements E2eConsumer
    {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final UnsafeBuffer view = new UnsafeBuffer(new byte[0]);
        private final Duration pollTimeout = Duration.ofMillis(POLL_TIMEOUT_MS);

        Consumer(final KafkaConsumer<byte[], byte[]> consumer)
        {
            this.consumer = consumer;
        }

        public int poll(final RecordHandler handler)
        {
            final ConsumerRecords<byte[], byte[]> records = consumer.poll(pollTimeout);
            for (final ConsumerRecord<byte[], byte[]> record : records)
            {
                final byte[] value = record.value();
                view.wrap(value);
                handler.onRecord(view, 0, value.length);
            }
            return records.count();
        }

        public void close()
        {
            consumer.close();
        }
    }
}
