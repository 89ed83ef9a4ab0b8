// Lets the engine's tests reach the tokenizer's internal parts (byte alphabet, pre-tokenizer, added-token splitter).
using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("Pipeline.Engine.Tests")]
