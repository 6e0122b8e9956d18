"""The live transport of the `/ws/` endpoint: rooms and sending to them (`rooms`), who is online
(`presence`) and the socket's authentication stack (`auth`). The consumer that speaks the
protocol is `chat.consumers.RealtimeConsumer`; any app may send to rooms."""
