package io.sluice.transport;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.sluice.transport.replication.ReplicationAdapter;
import io.sluice.transport.replication.ReplicationHandler;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.reflect.Proxy;
import java.nio.ByteOrder;

/**
 * Fuzzing the decoders a remote party reaches: whatever a client sends ({@link ClientRequestAdapter}) or a peer
 * broker sends ({@link ReplicationAdapter}), dispatching never throws. The listeners are proxies that answer true
 * and print every flyweight they are given ({@code toString} decodes each field, group and var data), as a broker
 * reads them; an enum's unknown value is left to the listener, as the adapter documents (the broker reads enums raw
 * and refuses unknown ones). The message header's schema and version are fixed up first, so that the fuzzer gets past them into the
 * messages; the template id and block length stay the fuzzer's. In the default test run the inputs under
 * {@code ProtocolFuzzTestInputs} are replayed; {@code JAZZER_FUZZ=1} fuzzes (see the transport README).
 */
class ProtocolFuzzTest
{
    private static final ClientRequestAdapter CLIENT_REQUESTS =
        new ClientRequestAdapter(listener(ClientRequestListener.class), Throwable::printStackTrace);
    private static final ReplicationAdapter REPLICATION = new ReplicationAdapter(listener(ReplicationHandler.class));

    @SuppressWarnings("unchecked")
    private static <T> T listener(final Class<T> type)
    {
        return (T)Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[]{ type }, (proxy, method, args) ->
        {
            if (null != args)
            {
                for (final Object arg : args)
                {
                    if (null != arg && arg.getClass().getName().startsWith("io.sluice.codecs"))
                    {
                        try
                        {
                            arg.toString();
                        }
                        catch (final IllegalArgumentException ex)
                        {
                            // An enum's unknown raw value: the adapter leaves enums to the listener, which reads
                            // them raw and refuses unknown ones (the broker does); SBE's typed getter throws.
                            if (!String.valueOf(ex.getMessage()).startsWith("Unknown value"))
                            {
                                throw ex;
                            }
                        }
                    }
                }
            }
            return method.getReturnType() == boolean.class ? Boolean.TRUE : null;
        });
    }

    private static UnsafeBuffer withHeader(final byte[] data, final int schemaId, final int version)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(data);
        if (data.length >= 8)
        {
            buffer.putShort(4, (short)schemaId, ByteOrder.LITTLE_ENDIAN);
            buffer.putShort(6, (short)version, ByteOrder.LITTLE_ENDIAN);
        }
        return buffer;
    }

    @FuzzTest(maxDuration = "60s")
    void shouldDispatchAnyClientRequestWithoutThrowing(final byte[] data)
    {
        CLIENT_REQUESTS.dispatch(withHeader(data, io.sluice.codecs.client.MessageHeaderDecoder.SCHEMA_ID,
            io.sluice.codecs.client.MessageHeaderDecoder.SCHEMA_VERSION), 0, data.length, 7);
    }

    @FuzzTest(maxDuration = "60s")
    void shouldDispatchAnyReplicationMessageWithoutThrowing(final byte[] data)
    {
        REPLICATION.dispatch(withHeader(data, io.sluice.codecs.replication.MessageHeaderDecoder.SCHEMA_ID,
            io.sluice.codecs.replication.MessageHeaderDecoder.SCHEMA_VERSION), 0, data.length);
    }
}
