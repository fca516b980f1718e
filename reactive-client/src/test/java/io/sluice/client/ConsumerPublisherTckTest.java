package io.sluice.client;

import io.sluice.broker.SluiceBroker;
import org.agrona.CloseHelper;
import org.reactivestreams.Publisher;
import org.reactivestreams.tck.PublisherVerification;
import org.reactivestreams.tck.TestEnvironment;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;
import reactor.core.publisher.Flux;

import java.io.File;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Reactive Streams TCK's publisher rules against the consumer's {@code receive()}: each publisher reads a fresh
 * topic holding exactly the elements asked for ({@code take(n)} ends the otherwise endless receive); the failed
 * publisher reads a topic that does not exist.
 */
public class ConsumerPublisherTckTest extends PublisherVerification<ConsumerRecord<String, String>>
{
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final AtomicInteger TOPICS = new AtomicInteger();

    private File dataDirectory;
    private SluiceBroker broker;
    private SluiceClient client;

    public ConsumerPublisherTckTest()
    {
        // The default 100 ms is tight on a shared 2-core machine (see the build notes).
        super(new TestEnvironment(500, 100));
    }

    @BeforeClass
    public void launch() throws Exception
    {
        dataDirectory = Files.createTempDirectory("sluice-tck-").toFile();
        broker = TestBroker.launch(dataDirectory);
        client = SluiceClient.create(TestBroker.options(broker));
    }

    @AfterClass
    public void close()
    {
        CloseHelper.closeAll(client, broker);
        org.agrona.IoUtil.delete(dataDirectory, true);
    }

    public Publisher<ConsumerRecord<String, String>> createPublisher(final long elements)
    {
        final String topic = "tck-" + TOPICS.incrementAndGet();
        client.admin().createTopic(topic, 1, 1, Map.of()).block(TIMEOUT);
        client.producer(ProducerOptions.create(Serdes.stringSerializer(), Serdes.stringSerializer()))
            .send(Flux.range(0, (int)elements).map((i) -> ProducerRecord.<String, String>of(topic, null, "v" + i)))
            .blockLast(TIMEOUT);
        return client.consumer(ConsumerOptions.create(Serdes.stringDeserializer(), Serdes.stringDeserializer())
                .withTopics(topic)
                .withOffsetReset(OffsetReset.EARLIEST))
            .receive()
            .take(elements);
    }

    public Publisher<ConsumerRecord<String, String>> createFailedPublisher()
    {
        return client.consumer(ConsumerOptions.create(Serdes.stringDeserializer(), Serdes.stringDeserializer())
                .withTopics("no-such-topic"))
            .receive();
    }

    public long maxElementsFromPublisher()
    {
        return 1024;
    }
}
