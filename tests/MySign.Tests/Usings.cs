global using System.Net;
global using MySign.Testing;
global using Shouldly;
global using Xunit;
