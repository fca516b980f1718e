package io.sluice.perf.e2e;

import io.sluice.client.Acks;
import io.sluice.client.ClientOptions;
import io.sluice.client.ConsumerOptions;
import io.sluice.client.ConsumerRecord;
import io.sluice.client.IdleProfile;
import io.sluice.client.ProducerOptions;
import io.sluice.client.ProducerRecord;
import io.sluice.client.SendResult;
import io.sluice.client.Serdes;
import io.sluice.client.SluiceClient;
import io.sluice.client.TopicPartition;
import io.sluice.transport.TopicDescription;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.OneToOneConcurrentArrayQueue;
import org.agrona.concurrent.UnsafeBuffer;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Sinks;
import reactor.util.concurrent.Queues;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sluice through its reactive client: the broker of {@link SluiceTarget} (same settings), with records sent by a
 * {@link io.sluice.client.SluiceProducer} and received by a {@link io.sluice.client.SluiceConsumer}, so that the
 * cost of the reactive layer over the low-level client is a ratio measured in one run.
 * <ul>
 *   <li>one {@link SluiceClient} (yielding I/O thread) shared by the producers and the consumer, over UDP loopback
 *   ({@code sluice-reactive-udp}) or IPC ({@code sluice-reactive-ipc}) through the broker's driver;</li>
 *   <li>producer: the sender thread emits each record into a unicast sink (a queue of {@value #MAX_IN_FLIGHT})
 *   that feeds {@code send}; a full queue is back-pressure; results arrive on the client's thread;</li>
 *   <li>consumer: {@code receiveAutoAck()} from the log end of every partition (an explicit seek, so records sent
 *   right after {@link #newConsumer()} returns are not missed), handed to the harness's consumer thread through a
 *   queue of {@value #CONSUMER_QUEUE} records; the subscriber requests one more for each record taken, as
 *   {@code publishOn} would.</li>
 * </ul>
 * Each record costs the layer a copy of its value, a {@code ProducerRecord}, a {@code SendResult} and a
 * {@code ConsumerRecord}: the allocation a reactive application pays.
 */
final class SluiceReactiveTarget implements E2eTarget
{
    static final String UDP_NAME = "sluice-reactive-udp";
    static final String IPC_NAME = "sluice-reactive-ipc";
    static final int MAX_IN_FLIGHT = 1024;
    static final int CONSUMER_QUEUE = 4096;
    /** Linger of a throughput producer; a latency producer sends at once. */
    static final Duration THROUGHPUT_LINGER = Duration.ofMillis(
        Long.getLong("sluice.e2e.reactiveLingerMs", 1));
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final SluiceTarget broker;
    private SluiceClient client;
    private String topic;
    private int partitions;

    SluiceReactiveTarget(final boolean ipc)
    {
        this.broker = new SluiceTarget(ipc);
    }

    public String name()
    {
        return broker.ipc() ? IPC_NAME : UDP_NAME;
    }

    public void start(final E2eSettings settings) throws Exception
    {
        broker.start(settings);
        topic = settings.topic();
        partitions = settings.partitions();
        client = SluiceClient.create(ClientOptions.create(broker.broker().listenEndpoint())
            .withAeronDirectoryName(broker.broker().aeronDirectoryName())
            .withIpc(broker.ipc())
            .withClientName("sluice-e2e-reactive")
            .withIdleProfile(IdleProfile.YIELDING));
    }

    public String description()
    {
        return broker.description().lines().findFirst().orElse("") +
            "\n  through the reactive client (one SluiceClient, yielding I/O thread): send() fed by a unicast sink of " +
            MAX_IN_FLIGHT + ", maxInFlight " + MAX_IN_FLIGHT + ", linger 0 (throughput: " +
            THROUGHPUT_LINGER.toMillis() + " ms); receiveAutoAck() handed to the consumer thread " +
            "through a queue of " + CONSUMER_QUEUE + " records";
    }

    public E2eProducer newProducer(
        final int acks, final ProducerProfile profile, final E2eProducer.AckListener listener)
    {
        return new Producer(client, topic,
            0 == acks ? Acks.NONE : 1 == acks ? Acks.LEADER : Acks.ALL,
            profile == ProducerProfile.THROUGHPUT ? THROUGHPUT_LINGER : Duration.ZERO, listener);
    }

    public E2eConsumer newConsumer()
    {
        ConsumerOptions<byte[], byte[]> options = ConsumerOptions.create(
            Serdes.bytesDeserializer(), Serdes.bytesDeserializer());
        final TopicDescription description = client.admin().describeTopic(topic).block(TIMEOUT);
        final TopicPartition[] assignment = new TopicPartition[partitions];
        for (int p = 0; p < partitions; p++)
        {
            assignment[p] = new TopicPartition(topic, p);
            options = options.withSeek(assignment[p], description.partitions().get(p).logEndOffset());
        }
        options = options.withAssignment(assignment)
            .withMaxBufferedBytes(Math.max(ConsumerOptions.MAX_BUFFERED_BYTES_DEFAULT, partitions * 2L * 1024 * 1024));
        final Consumer consumer = new Consumer();
        client.consumer(options).receiveAutoAck().subscribe(consumer);
        return consumer;
    }

    public void close()
    {
        CloseHelper.quietClose(client);
        client = null;
        broker.close();
    }

    /**
     * The sender thread emits into a unicast sink feeding {@code send}; results come on the client's thread.
     */
    static final class Producer implements E2eProducer
    {
        private final Sinks.Many<ProducerRecord<byte[], byte[], Long>> records;
        private final String topic;
        private final AtomicLong outstanding = new AtomicLong();
        private final reactor.core.Disposable subscription;

        Producer(
            final SluiceClient client,
            final String topic,
            final Acks acks,
            final Duration linger,
            final AckListener listener)
        {
            this.topic = topic;
            this.records = Sinks.many().unicast().onBackpressureBuffer(
                Queues.<ProducerRecord<byte[], byte[], Long>>get(MAX_IN_FLIGHT).get());
            this.subscription = client.producer(
                    ProducerOptions.create(Serdes.bytesSerializer(), Serdes.bytesSerializer())
                        .withAcks(acks)
                        .withMaxInFlight(MAX_IN_FLIGHT)
                        .withLinger(linger)
                        .withStopOnError(false))
                .send(records.asFlux())
                .subscribe((SendResult<Long> result) ->
                {
                    if (result.isSuccess())
                    {
                        listener.onAck(result.correlationMetadata());
                    }
                    else
                    {
                        listener.onError(result.correlationMetadata(), result.exception());
                    }
                    outstanding.decrementAndGet();
                });
        }

        public boolean send(final DirectBuffer buffer, final int offset, final int length, final long sequence)
        {
            final byte[] value = new byte[length];
            buffer.getBytes(offset, value);
            if (records.tryEmitNext(new ProducerRecord<>(topic, null, null, null, value, sequence)).isSuccess())
            {
                outstanding.incrementAndGet();
                return true;
            }
            return false;
        }

        public int poll()
        {
            return 0;
        }

        public boolean flush(final long timeoutNs)
        {
            final long deadline = System.nanoTime() + timeoutNs;
            while (outstanding.get() > 0 && System.nanoTime() - deadline < 0)
            {
                Thread.yield();
            }
            return outstanding.get() == 0;
        }

        public void close()
        {
            records.tryEmitComplete();
            subscription.dispose();
        }
    }

    /**
     * Takes records on the client's thread into a queue the harness's consumer thread drains; asks for one more
     * record per record drained.
     */
    static final class Consumer extends BaseSubscriber<ConsumerRecord<byte[], byte[]>> implements E2eConsumer
    {
        private final OneToOneConcurrentArrayQueue<ConsumerRecord<byte[], byte[]>> queue =
            new OneToOneConcurrentArrayQueue<>(CONSUMER_QUEUE);
        private final UnsafeBuffer value = new UnsafeBuffer(new byte[0]);

        protected void hookOnSubscribe(final Subscription subscription)
        {
            subscription.request(CONSUMER_QUEUE);
        }

        protected void hookOnNext(final ConsumerRecord<byte[], byte[]> record)
        {
            if (!queue.offer(record))
            {
                throw new IllegalStateException("more records than requested"); // a demand bug; fails the Flux
            }
        }

        public int poll(final RecordHandler handler)
        {
            final int count = queue.drain((record) ->
            {
                value.wrap(record.value());
                handler.onRecord(value, 0, record.value().length);
            });
            if (count > 0)
            {
                request(count);
            }
            return count;
        }

        public void close()
        {
            dispose();
        }
    }
}
