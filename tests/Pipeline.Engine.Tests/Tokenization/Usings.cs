// Namespaces every tokenizer test uses.
global using Pipeline.Engine.Tokenization;
