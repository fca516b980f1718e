package io.sluice.client;

import io.sluice.broker.SluiceBroker;
import io.sluice.engine.LogConfig;

import java.io.File;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A broker for the client's tests: loopback on a free port, its own embedded driver with small terms, small
 * segments; clients share its driver (over UDP loopback) to keep tests light.
 */
final class TestBroker
{
    static final int TERM_LENGTH = 1024 * 1024;

    private TestBroker()
    {
    }

    static SluiceBroker launch(final File dataDirectory)
    {
        return launch(dataDirectory, "127.0.0.1:0");
    }

    static SluiceBroker launch(final File dataDirectory, final String listen)
    {
        return SluiceBroker.launch(new SluiceBroker.Context()
            .dataDirectory(dataDirectory)
            .listen(listen)
            .clientTermLength(TERM_LENGTH)
            .clientTimeout(5, TimeUnit.SECONDS)
            .logDefault(LogConfig.SEGMENT_BYTES, String.valueOf(1024 * 1024))
            .logDefault(LogConfig.SEGMENT_INDEX_BYTES, String.valueOf(64 * 1024))
            .logDefault(LogConfig.MAX_MESSAGE_BYTES, String.valueOf(64 * 1024))
            .logDefault(LogConfig.PRETOUCH_BYTES, "0"));
    }

    static ClientOptions options(final SluiceBroker broker)
    {
        return ClientOptions.create(broker.listenEndpoint())
            .withAeronDirectoryName(broker.aeronDirectoryName())
            .withTermLength(TERM_LENGTH)
            .withRequestTimeout(Duration.ofSeconds(10));
    }
}
