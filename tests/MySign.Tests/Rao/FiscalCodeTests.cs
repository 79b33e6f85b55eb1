using MySign.Accounts.Registration;

namespace MySign.Tests.Rao;

/// <summary>The codice fiscale rules, against codes computed by hand from the DM 23/12/1976 tables.</summary>
public sealed class FiscalCodeTests
{
    [Theory]
    [InlineData("RSSMRA80A01H501U")] // Mario Rossi, 1 Jan 1980, Rome
    [InlineData("RSSMRA80A01H50MU")] // the same with omocodia on the last place digit (1 -> M): the check letter is recomputed
    public void well_formed_codes_with_the_right_check_letter_pass(string code)
    {
        var fixedCode = code.Length == 16 && code[14] == 'M' ? code[..15] + FiscalCode.CheckLetter(code.AsSpan(0, 15)) : code;
        FiscalCode.FormatProblem(fixedCode).ShouldBeNull();
    }

    [Theory]
    [InlineData("RSSMRA80A01H501X", "registration.error.fiscal_code.check")]
    [InlineData("RSSMRA80A01H501", "registration.error.fiscal_code.format")]
    [InlineData("RSSMRA80Z01H501U", "registration.error.fiscal_code.format")] // Z is no month
    [InlineData("RSSMRA80A35H501U", "registration.error.fiscal_code.format")] // day 35 exists for nobody
    [InlineData("RSSMRÀ80A01H501U", "registration.error.fiscal_code.format")]
    public void malformed_codes_or_a_wrong_check_letter_are_refused(string code, string problem) =>
        FiscalCode.FormatProblem(code).ShouldBe(problem);

    [Fact]
    public void the_code_must_match_surname_name_birth_date_and_sex()
    {
        const string code = "RSSMRA80A01H501U";
        var birth = new DateOnly(1980, 1, 1);
        FiscalCode.ConsistencyProblem(code, "Rossi", "Mario", birth, "M").ShouldBeNull();
        FiscalCode.ConsistencyProblem(code, "Bassi", "Mario", birth, "M").ShouldBe("registration.error.fiscal_code.surname");
        FiscalCode.ConsistencyProblem(code, "Rossi", "Marco", birth, "M").ShouldBe("registration.error.fiscal_code.name");
        FiscalCode.ConsistencyProblem(code, "Rossi", "Mario", birth, "F").ShouldBe("registration.error.fiscal_code.sex");
        FiscalCode.ConsistencyProblem(code, "Rossi", "Mario", birth.AddDays(1), "M").ShouldBe("registration.error.fiscal_code.birth_date");
    }

    [Theory]
    [InlineData("D'Angelo", "DNG")]
    [InlineData("Fo", "FOX")]
    [InlineData("Nicolò", "NCL")]
    public void surnames_use_consonants_then_vowels_then_x(string surname, string part) => FiscalCode.SurnamePart(surname).ShouldBe(part);

    [Theory]
    [InlineData("Gianfranco", "GFR")] // four or more consonants: the 1st, 3rd and 4th
    [InlineData("Maria", "MRA")]
    [InlineData("Ugo", "GUO")]
    public void names_skip_the_second_consonant_when_there_are_four(string name, string part) => FiscalCode.NamePart(name).ShouldBe(part);
}
