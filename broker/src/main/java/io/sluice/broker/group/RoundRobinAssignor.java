package io.sluice.broker.group;

import io.sluice.transport.PartitionRef;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Kafka's round-robin assignor ({@value #NAME}, eager): the partitions of all subscribed topics, sorted by topic
 * then partition, are dealt one at a time to the members in member id order, cycling; a member that does not
 * subscribe to a partition's topic is passed over and the partition goes to the next member in the cycle that
 * does. When every member subscribes to the same topics, the members' counts differ by at most one.
 */
public final class RoundRobinAssignor implements Assignor
{
    /**
     * The assignor's protocol name.
     */
    public static final String NAME = "roundrobin";

    /**
     * An assignor; it has no state.
     */
    public RoundRobinAssignor()
    {
    }

    /**
     * {@inheritDoc}
     */
    public String name()
    {
        return NAME;
    }

    /**
     * {@inheritDoc}
     */
    public boolean cooperative()
    {
        return false;
    }

    /**
     * {@inheritDoc}
     */
    public Map<String, List<PartitionRef>> assign(
        final List<MemberSubscription> members, final Map<String, Integer> partitionCounts)
    {
        final List<MemberSubscription> sorted = MemberSubscription.sortedByMemberId(members);
        final Map<String, List<PartitionRef>> assignment = new LinkedHashMap<>();
        for (final MemberSubscription member : sorted)
        {
            assignment.put(member.memberId(), new ArrayList<>());
        }

        // Partitions are dealt in order, so every member's list is sorted as it is built.
        int next = 0;
        for (final String topic : MemberSubscription.subscribedTopics(sorted, partitionCounts))
        {
            final int count = partitionCounts.get(topic);
            for (int partition = 0; partition < count; partition++)
            {
                // Ends: some member subscribes to the topic, or it would not be among the subscribed topics.
                while (!sorted.get(next).topics().contains(topic))
                {
                    next = (next + 1) % sorted.size();
                }

                assignment.get(sorted.get(next).memberId()).add(new PartitionRef(topic, partition));
                next = (next + 1) % sorted.size();
            }
        }

        return assignment;
    }
}
