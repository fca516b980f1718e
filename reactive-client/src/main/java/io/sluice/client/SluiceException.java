package io.sluice.client;

import io.sluice.codecs.client.ErrorCode;

/**
 * Every error the reactive client signals: a {@link ErrorCode} from the broker, or {@code null} for a client-side
 * cause (lost connection, a timeout, a serializer that threw), and a one-line message. The {@link Kind} tells what
 * the application can do about it.
 */
public class SluiceException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * What an error means to the application.
     */
    public enum Kind
    {
        /** The request was wrong and retrying it cannot help: unknown topic, record too large, bad offset. */
        INVALID_REQUEST,
        /** The connection to the broker failed or timed out; the request may or may not have taken effect. */
        CONNECTION,
        /** A serializer or deserializer threw. */
        SERIALIZATION,
        /** Something else the broker refused. */
        BROKER
    }

    private final transient ErrorCode errorCode;
    private final Kind kind;

    /**
     * @param kind      what it means.
     * @param errorCode from the broker, or {@code null}.
     * @param message   one line.
     * @param cause     may be {@code null}.
     */
    public SluiceException(final Kind kind, final ErrorCode errorCode, final String message, final Throwable cause)
    {
        super(message, cause);
        this.kind = kind;
        this.errorCode = errorCode;
    }

    /**
     * @return the broker's error code, or {@code null} for a client-side cause.
     */
    public ErrorCode errorCode()
    {
        return errorCode;
    }

    /**
     * @return what the error means to the application.
     */
    public Kind kind()
    {
        return kind;
    }
}
