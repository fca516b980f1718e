package io.sluice.transport;

import org.agrona.ErrorHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The error handler of every Aeron client Sluice makes. Aeron's default handler prints and calls
 * {@code System.exit} when the client's media driver stops answering, which would end an application using the
 * client library, or a test JVM, because one driver went away. This one logs; the client closes itself, and the
 * connections on it fail as lost connections do.
 */
public final class AeronErrors
{
    private static final Logger LOG = LoggerFactory.getLogger(AeronErrors.class);

    /** Logs the error; never exits. */
    public static final ErrorHandler LOG_ONLY = (throwable) -> LOG.error("Aeron client error", throwable);

    private AeronErrors()
    {
    }
}
