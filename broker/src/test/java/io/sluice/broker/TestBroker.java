package io.sluice.broker;

import io.sluice.engine.LogConfig;
import io.sluice.transport.ClientConnection;

import java.io.File;
import java.util.concurrent.TimeUnit;

/**
 * A broker for tests: loopback on a free port, its own embedded driver with small terms, small segments.
 */
final class TestBroker
{
    static final int TERM_LENGTH = 1024 * 1024;
    static final int MAX_MESSAGE_BYTES = 64 * 1024;

    private TestBroker()
    {
    }

    static SluiceBroker.Context context(final File dataDirectory)
    {
        return new SluiceBroker.Context()
            .dataDirectory(dataDirectory)
            .listen("127.0.0.1:0")
            .clientTermLength(TERM_LENGTH)
            .clientTimeout(5, TimeUnit.SECONDS)
            .logDefault(LogConfig.SEGMENT_BYTES, String.valueOf(1024 * 1024))
            .logDefault(LogConfig.SEGMENT_INDEX_BYTES, String.valueOf(64 * 1024))
            .logDefault(LogConfig.MAX_MESSAGE_BYTES, String.valueOf(MAX_MESSAGE_BYTES))
            .logDefault(LogConfig.PRETOUCH_BYTES, "0");
    }

    static SluiceBroker launch(final File dataDirectory)
    {
        return SluiceBroker.launch(context(dataDirectory));
    }

    /** A client over UDP loopback that shares the broker's media driver, to keep tests light. */
    static ClientConnection connect(final SluiceBroker broker)
    {
        return ClientConnection.connect(new ClientConnection.Context()
            .bootstrap(broker.listenEndpoint())
            .aeronDirectoryName(broker.aeronDirectoryName())
            .termLength(TERM_LENGTH)
            .requestTimeout(10, TimeUnit.SECONDS));
    }
}
