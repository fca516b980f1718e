package io.sluice.transport.replication;

import io.aeron.logbuffer.ControlledFragmentHandler;
import io.aeron.logbuffer.Header;
import io.sluice.codecs.replication.MessageHeaderDecoder;
import io.sluice.codecs.replication.PeerChallengeDecoder;
import io.sluice.codecs.replication.PeerProofDecoder;
import io.sluice.codecs.replication.ReplicaDataDecoder;
import io.sluice.codecs.replication.ReplicaFetchDecoder;
import io.sluice.codecs.replication.ReplicaFetchResponseDecoder;
import io.sluice.codecs.replication.ReplicaProgressDecoder;
import io.sluice.codecs.replication.ReplicationError;
import org.agrona.DirectBuffer;

/**
 * Validates and dispatches the replication messages of a broker's replication subscription: the frame holds a
 * header, the schema and version are this build's, the template is known, the block is at least this build's, and
 * ids, offsets and the error code are in range. Batches in {@link ReplicationHandler#onData} are the engine's to
 * verify (CRC, offsets) when it appends them. Nothing a peer sends makes this class throw. Allocation-free.
 * <p>
 * Use it through {@link io.aeron.ControlledFragmentAssembler}: a data message may span fragments.
 */
public final class ReplicationAdapter implements ControlledFragmentHandler
{
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final ReplicaFetchDecoder fetch = new ReplicaFetchDecoder();
    private final ReplicaProgressDecoder progress = new ReplicaProgressDecoder();
    private final ReplicaFetchResponseDecoder response = new ReplicaFetchResponseDecoder();
    private final ReplicaDataDecoder data = new ReplicaDataDecoder();
    private final PeerChallengeDecoder challenge = new PeerChallengeDecoder();
    private final PeerProofDecoder proof = new PeerProofDecoder();
    private final byte[] secret32 = new byte[32];
    private final ReplicationHandler handler;

    /**
     * @param handler to dispatch to.
     */
    public ReplicationAdapter(final ReplicationHandler handler)
    {
        this.handler = handler;
    }

    public Action onFragment(final DirectBuffer buffer, final int offset, final int length, final Header aeronHeader)
    {
        return dispatch(buffer, offset, length, aeronHeader.sessionId()) ? Action.CONTINUE : Action.ABORT;
    }

    /**
     * Validate and dispatch one whole message, as from session 0.
     *
     * @return false if the handler asked for the message again.
     */
    public boolean dispatch(final DirectBuffer buffer, final int offset, final int length)
    {
        return dispatch(buffer, offset, length, 0);
    }

    /**
     * Validate and dispatch one whole message: a partition message only if its stream is proven to be its sender's
     * ({@link ReplicationHandler#isAuthenticated}).
     *
     * @param sessionId the Aeron session of the stream it came on.
     * @return false if the handler asked for the message again.
     */
    public boolean dispatch(final DirectBuffer buffer, final int offset, final int length, final int sessionId)
    {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH)
        {
            return malformed("frame of " + length + " bytes is shorter than a message header");
        }
        header.wrap(buffer, offset);
        if (header.schemaId() != MessageHeaderDecoder.SCHEMA_ID || header.version() > MessageHeaderDecoder.SCHEMA_VERSION)
        {
            return malformed("schema " + header.schemaId() + " version " + header.version() +
                " is not the replication protocol " + MessageHeaderDecoder.SCHEMA_ID);
        }
        final int templateId = header.templateId();
        final int blockLength = header.blockLength();
        final int bodyOffset = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        final int bodyLength = length - MessageHeaderDecoder.ENCODED_LENGTH;
        final int version = header.version();
        switch (templateId)
        {
            case ReplicaFetchDecoder.TEMPLATE_ID:
                if (!fits(blockLength, ReplicaFetchDecoder.BLOCK_LENGTH, bodyLength))
                {
                    return malformed("short ReplicaFetch");
                }
                fetch.wrap(buffer, bodyOffset, blockLength, version);
                if (!ids(fetch.fromBroker(), fetch.topicId(), fetch.partition()) || fetch.leaderEpoch() < 0 ||
                    fetch.lastFetchedEpoch() < -1 || fetch.fetchOffset() < 0)
                {
                    return malformed("ReplicaFetch out of range");
                }
                if (!handler.isAuthenticated(sessionId, fetch.fromBroker()))
                {
                    handler.onUnauthenticated(sessionId, fetch.fromBroker());
                    return true;
                }
                return handler.onFetch(fetch.fromBroker(), fetch.topicId(), fetch.partition(), fetch.leaderEpoch(),
                    fetch.lastFetchedEpoch(), fetch.fetchOffset(), fetch.fetchId());

            case ReplicaProgressDecoder.TEMPLATE_ID:
                if (!fits(blockLength, ReplicaProgressDecoder.BLOCK_LENGTH, bodyLength))
                {
                    return malformed("short ReplicaProgress");
                }
                progress.wrap(buffer, bodyOffset, blockLength, version);
                if (!ids(progress.fromBroker(), progress.topicId(), progress.partition()) ||
                    progress.leaderEpoch() < 0 || progress.logEndOffset() < 0)
                {
                    return malformed("ReplicaProgress out of range");
                }
                if (!handler.isAuthenticated(sessionId, progress.fromBroker()))
                {
                    handler.onUnauthenticated(sessionId, progress.fromBroker());
                    return true;
                }
                return handler.onProgress(progress.fromBroker(), progress.topicId(), progress.partition(),
                    progress.leaderEpoch(), progress.fetchId(), progress.logEndOffset());

            case ReplicaFetchResponseDecoder.TEMPLATE_ID:
                if (!fits(blockLength, ReplicaFetchResponseDecoder.BLOCK_LENGTH, bodyLength))
                {
                    return malformed("short ReplicaFetchResponse");
                }
                response.wrap(buffer, bodyOffset, blockLength, version);
                final ReplicationError error = errorCode(response.errorCodeRaw());
                if (!ids(response.fromBroker(), response.topicId(), response.partition()) ||
                    null == error || response.leaderEpoch() < -1 ||
                    response.logStartOffset() < -1 || response.highWatermark() < -1)
                {
                    return malformed("ReplicaFetchResponse out of range");
                }
                if (!handler.isAuthenticated(sessionId, response.fromBroker()))
                {
                    handler.onUnauthenticated(sessionId, response.fromBroker());
                    return true;
                }
                return handler.onFetchResponse(response.fromBroker(), response.topicId(), response.partition(),
                    response.leaderEpoch(), response.fetchId(), error, response.divergingEpoch(),
                    response.divergingEndOffset(), response.logStartOffset(), response.highWatermark());

            case ReplicaDataDecoder.TEMPLATE_ID:
                if (!fits(blockLength, ReplicaDataDecoder.BLOCK_LENGTH, bodyLength))
                {
                    return malformed("short ReplicaData");
                }
                data.wrap(buffer, bodyOffset, blockLength, version);
                if (!ids(data.fromBroker(), data.topicId(), data.partition()) || data.leaderEpoch() < 0 ||
                    data.baseOffset() < 0 || data.highWatermark() < 0 || data.logStartOffset() < 0)
                {
                    return malformed("ReplicaData out of range");
                }
                if (!handler.isAuthenticated(sessionId, data.fromBroker()))
                {
                    handler.onUnauthenticated(sessionId, data.fromBroker());
                    return true;
                }
                return handler.onData(data.fromBroker(), data.topicId(), data.partition(), data.leaderEpoch(),
                    data.fetchId(), data.baseOffset(), data.highWatermark(), data.logStartOffset(),
                    buffer, bodyOffset + blockLength, bodyLength - blockLength);

            case PeerChallengeDecoder.TEMPLATE_ID:
                if (!fits(blockLength, PeerChallengeDecoder.BLOCK_LENGTH, bodyLength))
                {
                    return malformed("short PeerChallenge");
                }
                challenge.wrap(buffer, bodyOffset, blockLength, version);
                if (challenge.fromBroker() < 0)
                {
                    return malformed("PeerChallenge out of range");
                }
                challenge.getNonce(secret32, 0, secret32.length);
                return handler.onChallenge(challenge.fromBroker(), challenge.sessionId(), secret32);

            case PeerProofDecoder.TEMPLATE_ID:
                if (!fits(blockLength, PeerProofDecoder.BLOCK_LENGTH, bodyLength))
                {
                    return malformed("short PeerProof");
                }
                proof.wrap(buffer, bodyOffset, blockLength, version);
                if (proof.fromBroker() < 0)
                {
                    return malformed("PeerProof out of range");
                }
                proof.getProof(secret32, 0, secret32.length);
                handler.onProof(sessionId, proof.fromBroker(), proof.sessionId(), secret32);
                return true;

            default:
                return malformed("unknown replication message " + templateId);
        }
    }

    private static final ReplicationError[] ERRORS = ReplicationError.values();

    /**
     * The error code of a raw value, or null if it is none this build knows (the generated lookup would throw).
     */
    static ReplicationError errorCode(final int raw)
    {
        for (final ReplicationError error : ERRORS)
        {
            if (error != ReplicationError.NULL_VAL && error.value() == raw)
            {
                return error;
            }
        }
        return null;
    }

    private static boolean fits(final int blockLength, final int minBlockLength, final int bodyLength)
    {
        return blockLength >= minBlockLength && blockLength <= bodyLength;
    }

    private static boolean ids(final int broker, final int topicId, final int partition)
    {
        return broker >= 0 && topicId >= 0 && partition >= 0;
    }

    private boolean malformed(final String reason)
    {
        handler.onMalformed(reason);
        return true;
    }
}
