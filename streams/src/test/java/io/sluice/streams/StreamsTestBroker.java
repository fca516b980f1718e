package io.sluice.streams;

import io.sluice.broker.SluiceBroker;
import io.sluice.client.ClientOptions;
import io.sluice.engine.LogConfig;

import java.io.File;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A broker for the runtime's tests: loopback on a free port, its own embedded media driver (in a directory of its
 * own, deleted when it closes) with small terms, small segments. Applications' clients share its driver.
 */
final class StreamsTestBroker
{
    static final int TERM_LENGTH = 1024 * 1024;
    /** The smallest segments the engine takes, so a changelog rolls, and is compacted, after a few hundred updates. */
    static final int SEGMENT_BYTES = 64 * 1024;

    private StreamsTestBroker()
    {
    }

    static SluiceBroker launch(final File dataDirectory)
    {
        return SluiceBroker.launch(new SluiceBroker.Context()
            .dataDirectory(dataDirectory)
            .listen("127.0.0.1:0")
            .clientTermLength(TERM_LENGTH)
            .clientTimeout(5, TimeUnit.SECONDS)
            .logDefault(LogConfig.SEGMENT_BYTES, String.valueOf(SEGMENT_BYTES))
            .logDefault(LogConfig.SEGMENT_INDEX_BYTES, String.valueOf(64 * 1024))
            .logDefault(LogConfig.MAX_MESSAGE_BYTES, String.valueOf(64 * 1024))
            .logDefault(LogConfig.PRETOUCH_BYTES, "0"));
    }

    static ClientOptions clientOptions(final SluiceBroker broker)
    {
        return ClientOptions.create(broker.listenEndpoint())
            .withAeronDirectoryName(broker.aeronDirectoryName())
            .withTermLength(TERM_LENGTH)
            .withRequestTimeout(Duration.ofSeconds(10));
    }
}
