package io.aiobridge.spring;

import static org.junit.jupiter.api.Assertions.assertSame;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.jackson.Jackson2ObjectMapperBuilderCustomizer;
import org.springframework.boot.autoconfigure.jackson.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The application's ObjectMapper shares Jackson's buffers across threads unless told not to. */
class JacksonBuffersTest {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class,
                    AiobridgeAutoConfiguration.class));

    private static Object poolOf(ObjectMapper mapper) {
        return mapper.getFactory()._getRecyclerPool();
    }

    @Test
    void theDefaultPerThreadPoolIsReplacedByASharedOne() {
        runner.run(ctx -> assertSame(JsonRecyclerPools.sharedConcurrentDequePool(),
                poolOf(ctx.getBean(ObjectMapper.class))));
    }

    @Test
    void thePropertyKeepsJacksonsDefault() {
        runner.withPropertyValues("aiobridge.jackson-shared-buffers=false")
                .run(ctx -> assertSame(JsonRecyclerPools.threadLocalPool(),
                        poolOf(ctx.getBean(ObjectMapper.class))));
    }

    @Test
    void aPoolTheApplicationChoseStays() {
        runner.withBean(Jackson2ObjectMapperBuilderCustomizer.class, () -> builder -> builder
                .factory(JsonFactory.builder()
                        .recyclerPool(JsonRecyclerPools.nonRecyclingPool()).build()))
                .run(ctx -> assertSame(JsonRecyclerPools.nonRecyclingPool(),
                        poolOf(ctx.getBean(ObjectMapper.class))));
    }
}
