global using System.Net;
global using MySign.Testing;
global using MySign.Tests;
global using Shouldly;
global using Xunit;
