package io.sluice.connect.runtime;

import io.sluice.broker.SluiceBroker;
import io.sluice.client.ClientOptions;
import io.sluice.client.ConsumerOptions;
import io.sluice.client.Serdes;
import io.sluice.client.SluiceClient;
import io.sluice.client.SluiceException;
import io.sluice.client.TopicPartition;
import io.sluice.engine.LogConfig;
import org.agrona.CloseHelper;

import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A broker in this JVM for the runtime's tests (loopback, small segments and terms), a client of it, the runners a
 * test starts (closed with it), and the look-ups the tests share.
 */
final class ConnectTestBroker implements AutoCloseable
{
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    final SluiceBroker broker;
    final SluiceClient client;
    private final List<StandaloneRunner> runners = new ArrayList<>();

    ConnectTestBroker(final File directory)
    {
        broker = SluiceBroker.launch(new SluiceBroker.Context()
            .dataDirectory(new File(directory, "data"))
            .listen("127.0.0.1:0")
            .clientTermLength(1024 * 1024)
            .logDefault(LogConfig.SEGMENT_BYTES, String.valueOf(1024 * 1024))
            .logDefault(LogConfig.SEGMENT_INDEX_BYTES, String.valueOf(64 * 1024))
            .logDefault(LogConfig.MAX_MESSAGE_BYTES, String.valueOf(64 * 1024))
            .logDefault(LogConfig.PRETOUCH_BYTES, "0"));
        client = SluiceClient.create(ClientOptions.create(broker.listenEndpoint())
            .withAeronDirectoryName(broker.aeronDirectoryName())
            .withTermLength(1024 * 1024));
    }

    /** @return a worker's properties: this broker, offsets stored every 200 ms, the status on a free port. */
    Map<String, String> worker()
    {
        return Map.of("bootstrap.servers", broker.listenEndpoint(), "offset.flush.interval.ms", "200",
            "status.port", "0");
    }

    StandaloneRunner start(final List<Map<String, String>> connectors)
    {
        final StandaloneRunner runner = StandaloneRunner.start(worker(), connectors);
        runners.add(runner);
        return runner;
    }

    void stop(final StandaloneRunner runner)
    {
        runners.remove(runner);
        runner.close();
    }

    boolean noRunners()
    {
        return runners.isEmpty();
    }

    /** @return every value of partition 0 of the topic, from its start to its high watermark; none if missing. */
    List<String> topic(final String topic)
    {
        final long end;
        try
        {
            end = client.admin().describeTopic(topic).block(TIMEOUT).partitions().get(0).highWatermark();
        }
        catch (final SluiceException ex)
        {
            return List.of(); // not created yet
        }
        if (0 == end)
        {
            return List.of();
        }
        final TopicPartition tp = new TopicPartition(topic, 0);
        return client.consumer(ConsumerOptions.create(Serdes.bytesDeserializer(), Serdes.stringDeserializer())
                .withAssignment(tp)
                .withSeek(tp, ConsumerOptions.BEGINNING))
            .receiveAutoAck()
            .takeUntil((record) -> record.offset() >= end - 1)
            .map((record) -> record.value())
            .collectList()
            .block(TIMEOUT);
    }

    static void await(final BooleanSupplier condition, final Supplier<String> what)
    {
        final long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                fail("not within " + TIMEOUT.toSeconds() + " s: " + what.get());
            }
            try
            {
                Thread.sleep(50);
            }
            catch (final InterruptedException ex)
            {
                throw new IllegalStateException(ex);
            }
        }
    }

    public void close()
    {
        runners.forEach(StandaloneRunner::close);
        runners.clear();
        CloseHelper.closeAll(client, broker);
    }
}
