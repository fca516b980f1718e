package io.sluice.broker.group;

import io.sluice.transport.PartitionRef;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Kafka's range assignor ({@value #NAME}, eager): topic by topic, the members subscribed to the topic, sorted by
 * member id, each take a contiguous range of its partitions. With n partitions and m members each takes n / m and
 * the first n % m members one more, so members sorting first read more when the counts do not divide, and they do
 * so on every topic.
 */
public final class RangeAssignor implements Assignor
{
    /**
     * The assignor's protocol name.
     */
    public static final String NAME = "range";

    /**
     * An assignor; it has no state.
     */
    public RangeAssignor()
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

        // Topics in order and partitions in order, so every member's list is sorted as it is built.
        for (final String topic : MemberSubscription.subscribedTopics(sorted, partitionCounts))
        {
            final List<List<PartitionRef>> subscribers = new ArrayList<>();
            for (final MemberSubscription member : sorted)
            {
                if (member.topics().contains(topic))
                {
                    subscribers.add(assignment.get(member.memberId()));
                }
            }

            final int count = partitionCounts.get(topic);
            final int share = count / subscribers.size();
            final int extra = count % subscribers.size();
            int partition = 0;
            for (int i = 0; i < subscribers.size(); i++)
            {
                final List<PartitionRef> partitions = subscribers.get(i);
                final int end = partition + share + (i < extra ? 1 : 0);
                for (; partition < end; partition++)
                {
                    partitions.add(new PartitionRef(topic, partition));
                }
            }
        }

        return assignment;
    }
}
